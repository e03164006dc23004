import { describe, expect, it } from 'vitest';
import { ReplayJournal, type JournalEntry } from '../../src/store/replay-journal.js';
import { purchase } from './profile-fixtures.js';

const events = (shopperId: string): JournalEntry => ({ kind: 'events', shopperId, events: [purchase(1, [{ id: 'x' }])], now: 1 });
const settings = (shopperId: string): JournalEntry => ({ kind: 'settings', shopperId, settings: { personalization: false, features: {}, dietary: [], updatedAt: 1 } });

describe('replay journal', () => {
  it('hands entries back in the order they were accepted', () => {
    const journal = new ReplayJournal(10);
    const entries = [events('a'), settings('b'), events('a')];
    for (const e of entries) expect(journal.push(e)).toBe(true);
    const out: JournalEntry[] = [];
    for (let e = journal.peek(); e; e = journal.peek()) {
      out.push(e);
      journal.shiftIf(e);
    }
    expect(out).toEqual(entries);
    expect(journal.hasPending('a')).toBe(false);
  });

  it('refuses past its bound, except erasures', () => {
    const journal = new ReplayJournal(2);
    expect(journal.push(events('a'))).toBe(true);
    expect(journal.push(events('b'))).toBe(true);
    expect(journal.push(events('c'))).toBe(false);
    expect(journal.push({ kind: 'erase', shopperId: 'c', keepSettings: false })).toBe(true);
    expect(journal.size).toBe(3);
  });

  it('refuses past its byte bound and gives the bytes back as entries leave', () => {
    const big = { ...events('a'), events: [purchase(1, Array.from({ length: 10 }, (_, i) => ({ id: `item-${i}` })))] } as JournalEntry;
    const small = events('b');
    const measure = new ReplayJournal(100);
    measure.push(big);
    const bigBytes = measure.bytes;
    measure.push(small);
    const smallBytes = measure.bytes - bigBytes;
    expect(bigBytes).toBeGreaterThan(2 * smallBytes);

    const journal = new ReplayJournal(100, bigBytes + smallBytes + 10);
    expect(journal.push(big)).toBe(true);
    expect(journal.push(big)).toBe(false);
    expect(journal.push(small)).toBe(true);
    expect(journal.bytes).toBe(bigBytes + smallBytes);
    journal.shiftIf(big);
    expect(journal.bytes).toBe(smallBytes);
    journal.removeShopper('b', false);
    expect(journal.bytes).toBe(0);
  });

  it("drops a shopper's entries on erasure, keeping settings when asked", () => {
    const journal = new ReplayJournal(10);
    journal.push(events('a'));
    journal.push(settings('a'));
    journal.push(events('b'));
    journal.push(events('a'));
    expect(journal.removeShopper('a', true)).toBe(2);
    expect(journal.size).toBe(2);
    expect(journal.peek()?.kind).toBe('settings');
    expect(journal.removeShopper('a', false)).toBe(1);
    expect(journal.hasPending('a')).toBe(false);
    expect(journal.hasPending('b')).toBe(true);
  });

  it('does not drop the wrong entry when the head was erased during its replay', () => {
    const journal = new ReplayJournal(10);
    const head = events('a');
    journal.push(head);
    journal.push(events('b'));
    journal.removeShopper('a', false);
    expect(journal.shiftIf(head)).toBe(false);
    expect(journal.size).toBe(1);
    expect(journal.peek()?.shopperId).toBe('b');
  });
});
