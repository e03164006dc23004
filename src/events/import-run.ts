import { stat } from 'node:fs/promises';
import type { Metrics } from '../metrics/metrics.js';
import type { ShopperEvent } from '../personalization/types.js';
import type { ProfileStore } from '../store/profile-store.js';
import { fingerprintFile, readCheckpoint, writeCheckpoint, type ImportCheckpoint } from './import-checkpoint.js';
import {
  detectFormat,
  OrderGrouper,
  parseCsvHeader,
  parseCsvRow,
  parseJsonlLine,
  type CsvColumns,
  type ImportedEvent,
  type ImportFormat,
  type ImportLimits,
} from './import-formats.js';
import { ingestEvents } from './ingest-events.js';
import { readLines } from './line-reader.js';

export interface ImportRunOptions {
  file: string;
  /** Default: from the file name (.csv, .jsonl/.ndjson), else from the first line. */
  format?: ImportFormat;
  store: ProfileStore;
  metrics: Metrics;
  limits: ImportLimits;
  /** Where progress is saved for a resumable run; null: no checkpoint. */
  checkpointPath: string | null;
  /** Ignore an existing checkpoint and start from the top (still idempotent). */
  restart?: boolean;
  /** Shopper batches in flight at once (one shopper's batches always run in file order). */
  concurrency?: number;
  /** Events per store write for one shopper. */
  batchEvents?: number;
  checkpointEveryMs?: number;
  progressEveryMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ImportProgress) => void;
  now?: () => number;
}

export interface ImportProgress {
  bytesDone: number;
  bytesTotal: number;
  lines: number;
  /** Events read from the file (orders, for CSV). */
  events: number;
  /** New events stored; duplicates were stored before (a rerun, or an overlap with the API). */
  applied: number;
  duplicates: number;
  /** Events dropped because the shopper turned personalization off. */
  optedOut: number;
  rejected: number;
  elapsedMs: number;
}

export interface ImportSummary extends ImportProgress {
  file: string;
  format: ImportFormat;
  outcome: 'complete' | 'interrupted' | 'already-complete';
  /** Where this run started when it resumed a checkpoint. */
  resumedFrom: { offset: number; lineNo: number } | null;
  shoppers: number;
  /** The first rejected lines, with why. */
  errors: { lineNo: number; message: string }[];
}

/** A run that cannot go on; the checkpoint (if any) says where a rerun resumes. */
export class ImportError extends Error {
  constructor(
    readonly code: 'EIMPORT_FORMAT' | 'EIMPORT_CHECKPOINT' | 'EIMPORT_STORE',
    message: string,
    readonly resumeAt?: { offset: number; lineNo: number },
  ) {
    super(message);
  }
}

interface Batch {
  shopperId: string;
  events: ShopperEvent[];
  start: number;
  lineNo: number;
  done: boolean;
}

const MAX_LISTED_ERRORS = 20;
const MAX_COUNTED_SHOPPERS = 1_000_000;

/**
 * Imports order history into profiles through the same ProfileStore and ingest path as live
 * events. Resumable: a checkpoint records the first line not yet known to be stored.
 * Idempotent: event ids come from the data (order id + shopper + products, or the line), so
 * events already stored are dropped by the store as duplicates.
 */
export async function runImport(options: ImportRunOptions): Promise<ImportSummary> {
  const clock = options.now ?? Date.now;
  const started = Date.now();
  const size = (await stat(options.file)).size;
  const fingerprint = await fingerprintFile(options.file);
  let from = { offset: 0, lineNo: 0 };
  let format = options.format;
  let columns: CsvColumns | undefined;
  let resumedFrom: ImportSummary['resumedFrom'] = null;

  const previous = options.checkpointPath && !options.restart ? await readCheckpoint(options.checkpointPath) : null;
  if (previous) {
    if (previous.fingerprint !== fingerprint) {
      throw new ImportError('EIMPORT_CHECKPOINT', `${options.checkpointPath} belongs to another file (its first 64 KiB differ); use --restart to import this one from the top`);
    }
    format = previous.format;
    columns = previous.columns;
    from = { offset: previous.offset, lineNo: previous.lineNo };
    resumedFrom = from;
  }

  const stats: ImportProgress = { bytesDone: from.offset, bytesTotal: size, lines: 0, events: 0, applied: 0, duplicates: 0, optedOut: 0, rejected: 0, elapsedMs: 0 };
  const errors: ImportSummary['errors'] = [];
  const shoppers = new Set<string>();
  const summary = (outcome: ImportSummary['outcome']): ImportSummary => ({
    ...stats,
    elapsedMs: Date.now() - started,
    file: options.file,
    format: format ?? 'jsonl',
    outcome,
    resumedFrom,
    shoppers: shoppers.size,
    errors,
  });
  if (previous?.complete && previous.offset >= size) return summary('already-complete');

  const batchEvents = Math.max(1, options.batchEvents ?? 50);
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const queue: Batch[] = [];
  const chains = new Map<string, Promise<void>>();
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;
  let current: Batch | null = null;
  let grouper: OrderGrouper | null = null;
  let next = from;

  const reject = (lineNo: number, message: string) => {
    stats.rejected += 1;
    options.metrics.eventsRejected.inc({ reason: 'invalid' });
    if (errors.length < MAX_LISTED_ERRORS) errors.push({ lineNo, message });
  };

  const dispatch = (batch: Batch) => {
    queue.push(batch);
    const before = chains.get(batch.shopperId) ?? Promise.resolve();
    const work = before
      .then(async () => {
        if (failure) return;
        const result = await ingestEvents(options, batch.shopperId, batch.events, 'import', clock());
        if (!result.stored) stats.optedOut += batch.events.length;
        else if (result.journaled) {
          // The resilient store kept it in memory only: Redis is away. Stop here; a rerun resumes.
          throw new ImportError('EIMPORT_STORE', 'Redis is unavailable (writes fell back to memory)');
        } else {
          stats.applied += result.applied;
          stats.duplicates += result.duplicates;
        }
        batch.done = true;
      })
      .catch((err: unknown) => {
        failure ??= err;
      });
    chains.set(batch.shopperId, work);
    inflight.add(work);
    void work.finally(() => {
      inflight.delete(work);
      if (chains.get(batch.shopperId) === work) chains.delete(batch.shopperId);
    });
  };

  const add = async (imported: ImportedEvent, start: number, lineNo: number) => {
    stats.events += 1;
    if (shoppers.size < MAX_COUNTED_SHOPPERS) shoppers.add(imported.shopperId);
    if (current && (current.shopperId !== imported.shopperId || current.events.length >= batchEvents)) {
      dispatch(current);
      current = null;
      while (inflight.size >= concurrency) await Promise.race(inflight);
    }
    current ??= { shopperId: imported.shopperId, events: [], start, lineNo, done: false };
    current.events.push(imported.event);
  };

  /** The first line whose events may not be stored yet. */
  const resumePoint = () => {
    while (queue[0]?.done) queue.shift();
    const first = queue[0] ?? current ?? null;
    if (first) return { offset: first.start, lineNo: first.lineNo - 1 };
    const open = grouper?.openAt();
    return open ? { offset: open.start, lineNo: open.lineNo - 1 } : next;
  };

  const save = async (complete: boolean) => {
    if (!options.checkpointPath || !format) return;
    const at = complete ? { offset: size, lineNo: next.lineNo } : resumePoint();
    const checkpoint: ImportCheckpoint = {
      version: 1,
      file: options.file,
      fingerprint,
      format,
      ...(columns ? { columns } : {}),
      offset: at.offset,
      lineNo: at.lineNo,
      complete,
      updatedAt: new Date().toISOString(),
    };
    await writeCheckpoint(options.checkpointPath, checkpoint);
  };

  let lastSave = Date.now();
  let lastProgress = 0;
  let interrupted = false;
  for await (const line of readLines(options.file, from)) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    if (failure) break;
    format ??= detectFormat(options.file, line.text);
    const text = line.text.trim();
    if (text.length > 0) {
      if (format === 'jsonl') {
        stats.lines += 1;
        const parsed = parseJsonlLine(text, options.limits, clock());
        if (parsed.ok) await add(parsed.value, line.start, line.lineNo);
        else reject(line.lineNo, parsed.message);
      } else if (!columns) {
        const header = parseCsvHeader(text);
        if (!header.ok) throw new ImportError('EIMPORT_FORMAT', `line ${line.lineNo}: ${header.message}`);
        columns = header.value;
      } else {
        stats.lines += 1;
        grouper ??= new OrderGrouper(options.limits.maxItemsPerEvent);
        const row = parseCsvRow(text, columns, options.limits);
        if (!row.ok) reject(line.lineNo, row.message);
        else {
          const order = grouper.add(row.value, line.start, line.lineNo);
          if (order) await add(order, order.start, order.lineNo);
        }
      }
    }
    next = { offset: line.end, lineNo: line.lineNo };
    stats.bytesDone = line.end;
    const now = Date.now();
    if (options.onProgress && now - lastProgress >= (options.progressEveryMs ?? 100)) {
      lastProgress = now;
      options.onProgress({ ...stats, elapsedMs: now - started });
    }
    if (now - lastSave >= (options.checkpointEveryMs ?? 1000)) {
      lastSave = now;
      await save(false);
    }
  }

  if (!interrupted && !failure) {
    const last = grouper?.flush();
    if (last) await add(last, last.start, last.lineNo);
  }
  if (current && !failure) {
    dispatch(current);
    current = null;
  }
  while (inflight.size > 0) await Promise.all([...inflight]);
  if (failure) {
    await save(false);
    const point = resumePoint();
    if (failure instanceof ImportError) throw new ImportError(failure.code, failure.message, point);
    throw new ImportError('EIMPORT_STORE', `the profile store failed: ${(failure as Error).message ?? String(failure)}`, point);
  }
  await save(!interrupted);
  options.onProgress?.({ ...stats, elapsedMs: Date.now() - started });
  return summary(interrupted ? 'interrupted' : 'complete');
}
