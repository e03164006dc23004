import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frame, unframe } from '../../src/store/journal-framing.js';
import { ENTRY_OVERHEAD_BYTES, ReplayJournal, type JournalEntry } from '../../src/store/replay-journal.js';
import { purchase } from './profile-fixtures.js';

const events = (shopperId: string, id = 'x'): JournalEntry => ({ kind: 'events', shopperId, events: [purchase(1, [{ id }], `e-${shopperId}-${id}`)], now: 1 });
const settings = (shopperId: string): JournalEntry => ({ kind: 'settings', shopperId, settings: { personalization: false, features: {}, dietary: [], updatedAt: 1 } });
const memory = (maxEntries: number, maxBytes = Number.POSITIVE_INFINITY) => ReplayJournal.inMemory({ maxEntries, maxBytes });

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sidecart-journal-'));
  dirs.push(dir);
  return dir;
}
const onDisk = (dir: string, maxBytes = 1024 * 1024) => ReplayJournal.onDisk(dir, { maxEntries: 1000, maxBytes }, 1);

async function drainAll(journal: ReplayJournal): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for (let head = journal.peek(); head; head = journal.peek()) {
    out.push(head.entry);
    journal.shiftIf(head.seq);
  }
  return out;
}

describe('replay journal in memory', () => {
  it('hands entries back in the order they were accepted', async () => {
    const journal = memory(10);
    const entries = [events('a'), settings('b'), events('a')];
    for (const e of entries) expect(await journal.append(e)).toBe(true);
    expect(journal.pending('a')).toEqual([entries[0], entries[2]]);
    expect(await drainAll(journal)).toEqual(entries);
    expect(journal.hasPending('a')).toBe(false);
  });

  it('refuses past its entry bound, erasures included once far past it', async () => {
    const journal = memory(2);
    expect(await journal.append(events('a'))).toBe(true);
    expect(await journal.append(events('b'))).toBe(true);
    expect(await journal.append(events('c'))).toBe(false);
    expect(await journal.append({ kind: 'erase', shopperId: 'c', keepSettings: false })).toBe(true);
    expect(journal.size).toBe(3);
  });

  it('counts the serialized bytes plus a per-entry overhead, and gives them back as entries leave', async () => {
    const big = { ...events('a'), events: [purchase(1, Array.from({ length: 10 }, (_, i) => ({ id: `item-${i}` })))] } as JournalEntry;
    const small = events('b');
    const bigBytes = Buffer.byteLength(JSON.stringify(big)) + ENTRY_OVERHEAD_BYTES;
    const smallBytes = Buffer.byteLength(JSON.stringify(small)) + ENTRY_OVERHEAD_BYTES;
    const journal = memory(100, bigBytes + smallBytes + 10);
    expect(await journal.append(big)).toBe(true);
    expect(await journal.append(big)).toBe(false);
    expect(await journal.append(small)).toBe(true);
    expect(journal.bytes).toBe(bigBytes + smallBytes);
    journal.shiftIf(journal.peek()!.seq);
    expect(journal.bytes).toBe(smallBytes);
    await journal.removeShopper('b', false);
    expect(journal.bytes).toBe(0);
  });

  it('a full journal of 20k event batches holds about what it counts on the heap', async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const journal = memory(1_000_000, 64 * 1024 * 1024);
    for (let i = 0; i < 20_000; i++) await journal.append({ kind: 'events', shopperId: `shopper-${i % 500}`, events: [purchase(i, Array.from({ length: 5 }, (_, k) => ({ id: `sku-${i}-${k}`, brand: 'Arla' })))], now: i });
    global.gc?.();
    const after = process.memoryUsage();
    const held = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
    // Without forced GC the measure includes garbage: only an upper bound can be checked then.
    expect(held).toBeLessThan(journal.bytes * 3);
    if (global.gc) expect(held).toBeGreaterThan(journal.bytes * 0.5);
  });

  it("drops a shopper's entries on erasure, keeping settings when asked", async () => {
    const journal = memory(10);
    await journal.append(events('a'));
    await journal.append(settings('a'));
    await journal.append(events('b'));
    await journal.append(events('a'));
    expect(await journal.removeShopper('a', true)).toBe(2);
    expect(journal.size).toBe(2);
    expect(journal.peek()?.entry.kind).toBe('settings');
    expect(await journal.removeShopper('a', false)).toBe(1);
    expect(journal.hasPending('a')).toBe(false);
    expect(journal.hasPending('b')).toBe(true);
  });

  it('does not drop the wrong entry when the head was erased during its replay', async () => {
    const journal = memory(10);
    await journal.append(events('a'));
    const head = journal.peek()!;
    await journal.append(events('b'));
    await journal.removeShopper('a', false);
    expect(journal.shiftIf(head.seq)).toBe(false);
    expect(journal.size).toBe(1);
    expect(journal.peek()?.entry.shopperId).toBe('b');
  });

  it('with no journal, nothing is kept', async () => {
    expect(await ReplayJournal.none().append(events('a'))).toBe(false);
  });
});

describe('replay journal on disk', () => {
  it('framing: whole records come back; a torn or corrupt tail marks where the sound part ends', () => {
    const a = frame(Buffer.from('{"a":1}'));
    const b = frame(Buffer.from('{"b":2}'));
    expect(unframe(Buffer.concat([a, b])).records.map((r) => r.payload.toString())).toEqual(['{"a":1}', '{"b":2}']);
    expect(unframe(Buffer.concat([a, b.subarray(0, b.length - 1)])).soundBytes).toBe(a.length);
    const flipped = Buffer.concat([a, b]);
    flipped[flipped.length - 2] = flipped[flipped.length - 2]! ^ 0xff;
    expect(unframe(flipped)).toMatchObject({ soundBytes: a.length, records: [{ payloadAt: 8 }] });
  });

  it('entries survive a reopen, in order; replayed ones do not come back', async () => {
    const dir = tempDir();
    const first = onDisk(dir).journal;
    for (const e of [events('a', '1'), settings('b'), events('a', '2')]) expect(await first.append(e)).toBe(true);
    first.shiftIf(first.peek()!.seq);
    await first.close();

    const second = onDisk(dir).journal;
    expect(second.size).toBe(2);
    expect(second.pending('a')).toEqual([events('a', '2')]);
    expect(await drainAll(second)).toEqual([settings('b'), events('a', '2')]);
    await second.close();
    // Drained: the file is emptied.
    expect(statSync(join(dir, 'journal.log')).size).toBe(0);
    expect(onDisk(dir).journal.size).toBe(0);
  });

  it('a torn last record (died mid-append) is cut off on open; the records before it are kept and new ones follow', async () => {
    const dir = tempDir();
    const first = onDisk(dir).journal;
    await first.append(events('a', '1'));
    await first.append(events('a', '2'));
    await first.close();
    const file = join(dir, 'journal.log');
    const whole = statSync(file).size;
    // Half a record more, as a crash in the middle of a write leaves it.
    const torn = frame(Buffer.from(JSON.stringify({ s: 3, e: events('a', '3') })));
    appendFileSync(file, torn.subarray(0, torn.length >> 1));

    const { journal, tornBytes } = onDisk(dir);
    expect(tornBytes).toBe(torn.length >> 1);
    expect(statSync(file).size).toBe(whole);
    expect(journal.pending('a')).toEqual([events('a', '1'), events('a', '2')]);
    expect(await journal.append(events('a', '4'))).toBe(true);
    await journal.close();
    expect(onDisk(dir).journal.pending('a')).toEqual([events('a', '1'), events('a', '2'), events('a', '4')]);
  });

  it('a record cut inside its header is torn too', async () => {
    const dir = tempDir();
    const first = onDisk(dir).journal;
    await first.append(events('a', '1'));
    await first.append(events('a', '2'));
    await first.close();
    const file = join(dir, 'journal.log');
    const records = unframe(readFileSync(file)).records;
    truncateSync(file, records[1]!.payloadAt - 3);
    const { journal, tornBytes } = onDisk(dir);
    expect(tornBytes).toBe(5);
    expect(journal.pending('a')).toEqual([events('a', '1')]);
  });

  it('an erasure survives a reopen: the erased shopper is never replayed', async () => {
    const dir = tempDir();
    const first = onDisk(dir).journal;
    await first.append(events('gone'));
    await first.append(settings('gone'));
    await first.append(events('kept'));
    await first.removeShopper('gone', true);
    await first.close();
    const second = onDisk(dir).journal;
    expect(second.hasPending('gone')).toBe(true);
    expect(second.pending('gone')).toEqual([settings('gone')]);
    expect(second.pending('kept')).toEqual([events('kept')]);
  });

  it('bounded on disk: refuses past maxBytes, and makes room by rewriting once replayed records take the space', async () => {
    const dir = tempDir();
    const one = frame(Buffer.from(JSON.stringify({ s: 1, e: events('a', '1') }))).length;
    const { journal } = onDisk(dir, one * 3 + 40);
    for (let i = 1; i <= 3; i++) expect(await journal.append(events('a', String(i)))).toBe(true);
    expect(await journal.append(events('a', '4'))).toBe(false);
    journal.shiftIf(journal.peek()!.seq);
    journal.shiftIf(journal.peek()!.seq);
    expect(await journal.append(events('a', '5'))).toBe(true);
    expect(statSync(join(dir, 'journal.log')).size).toBeLessThanOrEqual(one * 3 + 40);
    expect(journal.pending('a')).toEqual([events('a', '3'), events('a', '5')]);
    await journal.close();
    expect(onDisk(dir).journal.pending('a')).toEqual([events('a', '3'), events('a', '5')]);
  });
});
