import type { ShopperEvent, ShopperSettings } from '../personalization/types.js';
import { JournalFile } from './journal-file.js';

/** A write Redis missed, kept until Redis is back. */
export type JournalEntry =
  | { kind: 'events'; shopperId: string; events: ShopperEvent[]; now: number }
  | { kind: 'settings'; shopperId: string; settings: ShopperSettings }
  | { kind: 'erase'; shopperId: string; keepSettings: boolean };

/** Where the journal keeps entries: nowhere (outage writes are refused), memory, or a file. */
export type JournalMode = 'none' | 'memory' | 'disk';

/**
 * Heap of one entry beyond its serialized bytes: the slot object, the Buffer object and the
 * shopper id string (measured with 100k entries: ~150–190 bytes).
 */
export const ENTRY_OVERHEAD_BYTES = 200;
/** Erasures may go this far past the byte bounds: a shopper's deletion must be kept. */
const ERASURE_RESERVE_BYTES = 1024 * 1024;

interface Slot {
  seq: number;
  shopperId: string;
  kind: JournalEntry['kind'];
  /** Serialized entry; on disk it is dropped once written and read back by offset. */
  payload: Buffer | null;
  length: number;
  payloadAt: number;
  keepSettings: boolean;
}

/** File records: an entry, a shopper's entries dropped (erasure), replay progress. */
type FileRecord = { s: number; e: JournalEntry } | { x: string; k: boolean } | { r: number };

export interface JournalLimits {
  maxEntries: number;
  /** Memory: heap bytes of the entries (payload + overhead). Disk: bytes of the file. */
  maxBytes: number;
}

/**
 * In-order journal of writes made while Redis was away. Entries are held serialized, so the byte
 * bound is real: in memory they count their bytes plus a measured per-entry overhead; on disk the
 * file's size is bounded and only a small index stays in memory. `append` resolves true once the
 * entry is kept (on disk: after the fsync that covers it) and false when it cannot be (no journal,
 * full, disk error) — the caller must then refuse the write. Replay takes entries from the head.
 */
export class ReplayJournal {
  private slots: Slot[] = [];
  private head = 0;
  private nextSeq = 1;
  private liveBytes = 0;
  private readonly perShopper = new Map<string, number>();

  private constructor(
    readonly mode: JournalMode,
    private readonly limits: JournalLimits,
    private readonly file: JournalFile | null,
  ) {}

  /** No journal: every outage write is refused. */
  static none(): ReplayJournal {
    return new ReplayJournal('none', { maxEntries: 0, maxBytes: 0 }, null);
  }

  static inMemory(limits: JournalLimits): ReplayJournal {
    return new ReplayJournal('memory', limits, null);
  }

  /**
   * Open the journal file in `dir` (created if missing), cut a torn tail, and load what was not
   * replayed before the last stop.
   */
  static onDisk(dir: string, limits: JournalLimits, commitIntervalMs: number): { journal: ReplayJournal; tornBytes: number } {
    const { file, records, tornBytes } = JournalFile.open(dir, commitIntervalMs);
    const journal = new ReplayJournal('disk', limits, file);
    for (const { payload, payloadAt } of records) {
      let record: FileRecord;
      try {
        record = JSON.parse(payload.toString('utf8')) as FileRecord;
      } catch {
        continue;
      }
      if ('r' in record) journal.dropThrough(record.r);
      else if ('x' in record) journal.dropShopper(record.x, record.k);
      else {
        journal.add(record.s, record.e, null, payload.length, payloadAt);
        journal.nextSeq = Math.max(journal.nextSeq, record.s + 1);
      }
    }
    return { journal, tornBytes };
  }

  get bytes(): number {
    return this.mode === 'disk' ? this.file!.size : this.liveBytes;
  }

  get size(): number {
    return this.slots.length - this.head;
  }

  /** Entries still waiting for this shopper (its reads and writes must not bypass them). */
  hasPending(shopperId: string): boolean {
    return this.perShopper.has(shopperId);
  }

  /** This shopper's waiting entries, oldest first (a read folds them over Redis's copy). */
  pending(shopperId: string): JournalEntry[] {
    if (!this.perShopper.has(shopperId)) return [];
    const out: JournalEntry[] = [];
    for (let i = this.head; i < this.slots.length; i++) if (this.slots[i]!.shopperId === shopperId) out.push(this.entryOf(this.slots[i]!));
    return out;
  }

  /** Keep `entry`; true once kept (on disk: fsync'd), false when it cannot be. */
  async append(entry: JournalEntry): Promise<boolean> {
    if (this.mode === 'none') return false;
    const body = JSON.stringify(entry);
    // On disk the record also carries its sequence number and a frame header.
    if (!(await this.fits(entry.kind, Buffer.byteLength(body) + (this.file ? 32 : 0)))) return false;
    // The sequence number is taken only now, so entries are numbered in the order they are kept.
    const seq = this.nextSeq++;
    const payload = Buffer.from(this.mode === 'disk' ? `{"s":${seq},"e":${body}}` : body);
    const slot = this.add(seq, entry, payload, payload.length, -1);
    if (!this.file) return true;
    try {
      slot.payloadAt = await this.file.append(payload);
      slot.payload = null;
      return true;
    } catch {
      this.removeSlot(slot);
      return false;
    }
  }

  peek(): { seq: number; entry: JournalEntry } | undefined {
    const slot = this.slots[this.head];
    return slot ? { seq: slot.seq, entry: this.entryOf(slot) } : undefined;
  }

  /** Remove the head if it is still entry `seq` (an erasure may have removed it during its replay). */
  shiftIf(seq: number): boolean {
    const slot = this.slots[this.head];
    if (!slot || slot.seq !== seq) return false;
    this.head++;
    this.release(slot);
    if (this.file) {
      this.file.note(Buffer.from(JSON.stringify({ r: seq })));
      if (this.size === 0) this.file.requestReset(() => this.size === 0);
    }
    if (this.head > 1024 && this.head * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  /** Drop a shopper's entries (erasure); with `keepSettings` their settings writes stay. Kept on disk too. */
  async removeShopper(shopperId: string, keepSettings: boolean): Promise<number> {
    const removed = this.dropShopper(shopperId, keepSettings);
    if (removed > 0 && this.file) await this.file.append(Buffer.from(JSON.stringify({ x: shopperId, k: keepSettings })));
    return removed;
  }

  async close(): Promise<void> {
    await this.file?.close();
  }

  private async fits(kind: JournalEntry['kind'], length: number): Promise<boolean> {
    const reserve = kind === 'erase' ? ERASURE_RESERVE_BYTES : 0;
    const entries = kind === 'erase' ? Number.POSITIVE_INFINITY : this.limits.maxEntries;
    if (this.size >= entries) return false;
    const bound = this.limits.maxBytes + reserve;
    if (!this.file) return this.liveBytes + length + ENTRY_OVERHEAD_BYTES <= bound;
    const needed = length + 8;
    if (this.file.size + needed <= bound) return true;
    // Replayed records still take disk: rewrite the file with the live ones when that makes room.
    if (this.file.size - this.liveBytes >= needed) await this.file.rewrite(() => this.liveRecords());
    return this.file.size + needed <= bound;
  }

  private liveRecords() {
    const live = [];
    for (let i = this.head; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (slot.payload) continue; // not written yet: it follows the rewrite
      live.push({ payload: this.file!.read(slot.payloadAt, slot.length), moved: (at: number) => (slot.payloadAt = at) });
    }
    return live;
  }

  private add(seq: number, entry: JournalEntry, payload: Buffer | null, length: number, payloadAt: number): Slot {
    const slot: Slot = { seq, shopperId: entry.shopperId, kind: entry.kind, payload, length, payloadAt, keepSettings: entry.kind === 'erase' && entry.keepSettings };
    this.slots.push(slot);
    this.liveBytes += this.slotBytes(slot);
    this.perShopper.set(slot.shopperId, (this.perShopper.get(slot.shopperId) ?? 0) + 1);
    return slot;
  }

  private entryOf(slot: Slot): JournalEntry {
    const bytes = slot.payload ?? this.file!.read(slot.payloadAt, slot.length);
    const parsed = JSON.parse(bytes.toString('utf8')) as JournalEntry | { e: JournalEntry };
    return 'e' in parsed ? parsed.e : parsed;
  }

  private slotBytes(slot: Slot): number {
    return this.mode === 'disk' ? slot.length + 8 : slot.length + ENTRY_OVERHEAD_BYTES;
  }

  private release(slot: Slot): void {
    this.liveBytes -= this.slotBytes(slot);
    const left = (this.perShopper.get(slot.shopperId) ?? 0) - 1;
    if (left > 0) this.perShopper.set(slot.shopperId, left);
    else this.perShopper.delete(slot.shopperId);
  }

  private removeSlot(target: Slot): void {
    const at = this.slots.indexOf(target, this.head);
    if (at < 0) return;
    this.slots.splice(at, 1);
    this.release(target);
  }

  /** Replay progress read back from the file: entries up to `seq` reached Redis. */
  private dropThrough(seq: number): void {
    while (this.head < this.slots.length && this.slots[this.head]!.seq <= seq) this.release(this.slots[this.head++]!);
  }

  private dropShopper(shopperId: string, keepSettings: boolean): number {
    if (!this.perShopper.has(shopperId)) return 0;
    const kept: Slot[] = [];
    let removed = 0;
    for (let i = this.head; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (slot.shopperId !== shopperId || (keepSettings && slot.kind === 'settings')) kept.push(slot);
      else {
        this.release(slot);
        removed++;
      }
    }
    this.slots = kept;
    this.head = 0;
    return removed;
  }
}
