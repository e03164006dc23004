import { close, closeSync, fsync, fsyncSync, ftruncate, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writev } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { frame, FRAME_HEADER_BYTES, unframe, type FramedRecord } from './journal-framing.js';

const writevAt = promisify(writev);
const fsyncFd = promisify(fsync);
const truncateFd = promisify(ftruncate);
const closeFd = promisify(close);

/** A record waiting for the next group commit. */
interface Pending {
  bytes: Buffer;
  /** Told the payload's offset in the file once it is written and fsync'd. */
  written: (payloadAt: number) => void;
  failed: (error: unknown) => void;
}

/** A live record to keep when the file is rewritten: its payload and where to tell its new offset. */
export interface LiveRecord {
  payload: Buffer;
  moved: (payloadAt: number) => void;
}

/**
 * The journal's file: `journal.log` in the configured directory, append-only, framed records
 * (length + checksum). Appends are group-committed: every record queued within
 * `commitIntervalMs` goes out in one write and one fsync, and each append resolves only after the
 * fsync that covers it. A torn tail found on open is cut off. All writes, truncations and
 * rewrites run one at a time in `pump`, so a record's offset is fixed only when it is written.
 */
export class JournalFile {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private pumping: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private resetWanted: (() => boolean) | null = null;
  private rewriteWanted: { live: () => LiveRecord[]; done: (() => void)[] } | null = null;

  private constructor(
    private readonly path: string,
    private fd: number,
    /** Bytes in the file (written and fsync'd). */
    private end: number,
    private readonly commitIntervalMs: number,
  ) {}

  /**
   * Open (creating the directory and file) and return the sound records; a torn tail is cut off.
   * Synchronous: it runs once, at start, before the store answers anything.
   */
  static open(dir: string, commitIntervalMs: number): { file: JournalFile; records: FramedRecord[]; tornBytes: number } {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'journal.log');
    closeSync(openSync(path, 'a'));
    const bytes = readFileSync(path);
    const { records, soundBytes } = unframe(bytes);
    const fd = openSync(path, 'r+');
    const tornBytes = bytes.length - soundBytes;
    if (tornBytes > 0) {
      ftruncateSync(fd, soundBytes);
      fsyncSync(fd);
    }
    return { file: new JournalFile(path, fd, soundBytes, commitIntervalMs), records, tornBytes };
  }

  /** Bytes the file will hold once the queue is written. */
  get size(): number {
    return this.end + this.queuedBytes;
  }

  /** Queue a record; resolves with its payload's offset once it is on disk (fsync'd). */
  append(payload: Buffer): Promise<number> {
    const bytes = frame(payload);
    this.queuedBytes += bytes.length;
    return new Promise<number>((written, failed) => {
      this.queue.push({ bytes, written, failed });
      this.schedule();
    });
  }

  /** Queue a record nobody waits for (replay progress); it goes out with the next commit. */
  note(payload: Buffer): void {
    this.append(payload).catch(() => undefined);
  }

  /** A payload written earlier (synchronous: replay reads one record at a time). */
  read(payloadAt: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    readSync(this.fd, out, 0, length, payloadAt);
    return out;
  }

  /** Empty the file once nothing is queued and `stillEmpty()` holds (the journal drained). */
  requestReset(stillEmpty: () => boolean): void {
    this.resetWanted = stillEmpty;
    this.schedule();
  }

  /** Rewrite the file with only the live records (dead, replayed ones take no more disk). */
  rewrite(live: () => LiveRecord[]): Promise<void> {
    return new Promise<void>((done) => {
      if (this.rewriteWanted) this.rewriteWanted.done.push(done);
      else this.rewriteWanted = { live, done: [done] };
      this.schedule();
    });
  }

  /** Write what is queued and close. */
  async close(): Promise<void> {
    // A pump that is finishing may have missed the last records: pump until nothing is left.
    do {
      await this.pumping;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      await this.pump();
    } while (this.queue.length > 0 || this.pumping);
    await closeFd(this.fd);
  }

  private schedule(): void {
    if (this.timer || this.pumping) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pump();
    }, this.commitIntervalMs);
  }

  private pump(): Promise<void> {
    this.pumping ??= (async () => {
      while (this.queue.length > 0 || this.rewriteWanted || this.resetWanted) {
        if (this.queue.length > 0) await this.commit();
        else if (this.rewriteWanted) await this.rewriteNow();
        else await this.resetNow();
      }
    })().finally(() => {
      this.pumping = null;
      if (this.queue.length > 0) this.schedule();
    });
    return this.pumping;
  }

  private async commit(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    let at = this.end;
    const offsets = batch.map((p) => {
      const payloadAt = at + FRAME_HEADER_BYTES;
      at += p.bytes.length;
      return payloadAt;
    });
    try {
      await writevAt(this.fd, batch.map((p) => p.bytes), this.end);
      await fsyncFd(this.fd);
      this.end = at;
      batch.forEach((p, i) => p.written(offsets[i]!));
    } catch (error) {
      for (const p of batch) p.failed(error);
    } finally {
      for (const p of batch) this.queuedBytes -= p.bytes.length;
    }
  }

  private async resetNow(): Promise<void> {
    const stillEmpty = this.resetWanted;
    this.resetWanted = null;
    if (!stillEmpty?.() || this.end === 0) return;
    await truncateFd(this.fd, 0);
    await fsyncFd(this.fd);
    this.end = 0;
  }

  private async rewriteNow(): Promise<void> {
    const wanted = this.rewriteWanted!;
    this.rewriteWanted = null;
    try {
      await this.rewriteLive(wanted.live());
    } finally {
      for (const done of wanted.done) done();
    }
  }

  private async rewriteLive(live: LiveRecord[]): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const out = openSync(tmp, 'w');
    const offsets: number[] = [];
    const frames: Buffer[] = [];
    let at = 0;
    for (const record of live) {
      const bytes = frame(record.payload);
      offsets.push(at + FRAME_HEADER_BYTES);
      frames.push(bytes);
      at += bytes.length;
    }
    try {
      if (frames.length > 0) await writevAt(out, frames, 0);
      await fsyncFd(out);
    } finally {
      await closeFd(out);
    }
    renameSync(tmp, this.path);
    syncDir(join(this.path, '..'));
    const old = this.fd;
    this.fd = openSync(this.path, 'r+');
    await closeFd(old);
    this.end = at;
    live.forEach((record, i) => record.moved(offsets[i]!));
  }
}

/** A rename is durable once its directory is fsync'd. */
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
