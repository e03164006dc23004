import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EVENT_TYPES } from '../config/schema.js';
import type { ShopperEvent } from '../personalization/types.js';
import { nextTurn, slicesByItems } from './batch-slices.js';

// The events API body, parsed once at the boundary into domain events. A batch is accepted whole
// or rejected whole: any invalid event rejects the batch with the path of the first bad field.
// The envelope (shape, event and item counts) is read first and cheaply, so a call over its
// budget is refused before any event is validated; events are then validated one by one.

export const MAX_TAGS_PER_ITEM = 32;
/** No shopping event happened before this (a time before it is a unit mistake, e.g. seconds). */
export const EARLIEST_EVENT_AT = Date.UTC(2000, 0, 1);
/** Clocks drift and time zones get mixed up; a day ahead is the most an honest client is off. */
export const LATEST_EVENT_AHEAD_MS = 86_400_000;

const tag = z.string().min(1).max(64);
const itemSchema = z
  .object({
    id: z.union([z.string().min(1).max(128), z.number().int().nonnegative()]).transform(String),
    quantity: z.number().positive().max(10_000).default(1),
    price: z.number().nonnegative().max(1e7).optional(),
    brand: z.string().min(1).max(128).optional(),
    category: z.string().min(1).max(128).optional(),
    tags: z.array(tag).max(MAX_TAGS_PER_ITEM).optional(),
    name: z.string().max(256).optional(),
  })
  .strict();

const eventSchema = z
  .object({
    /** Makes a retry or replay safe: an id seen before is not counted again. */
    id: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:@-]+$/, 'letters, digits and _ . : @ - only').optional(),
    type: z.enum(EVENT_TYPES),
    /** ISO-8601 time or epoch milliseconds; default: when the batch arrived. */
    at: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
    items: z.array(itemSchema).default([]),
    query: z.string().max(256).optional(),
  })
  .strict();

type WireEvent = z.output<typeof eventSchema>;

export interface EventBatchLimits {
  maxBatch: number;
  maxItemsPerEvent: number;
  /** Items in the whole batch; absent: only the per-event limit applies. */
  maxItemsPerBatch?: number;
}

export interface ParsedEventBatch {
  events: ShopperEvent[];
  /** Set only in the admin form: the shopper the batch is for. */
  shopperId?: string;
}

export type BatchError = { ok: false; field: string; message: string };
export type EventBatchResult = { ok: true; batch: ParsedEventBatch } | BatchError;

/** A body whose shape and size are known to be within limits; its events are not validated yet. */
export interface BatchEnvelope {
  events: unknown[];
  /** Items of all events together (what the call costs). */
  items: number;
  shopperId?: string;
}

// zod compiles a schema on its first use, which costs more than validating a whole batch: the
// schemas are built once per limit value, not per call.
const envelopeSchemas = new Map<number, z.ZodType<{ shopperId?: string; events: unknown[] }>>();
const eventSchemas = new Map<number, z.ZodType<WireEvent>>();

function remembered<T>(memo: Map<number, T>, key: number, build: () => T): T {
  let value = memo.get(key);
  if (value === undefined) {
    // Limits change only on a config reload; a handful of values is all there ever is.
    if (memo.size >= 8) memo.clear();
    value = build();
    memo.set(key, value);
  }
  return value;
}

const envelopeSchema = (maxBatch: number) =>
  remembered(envelopeSchemas, maxBatch, () =>
    z.object({ shopperId: z.string().min(1).max(256).optional(), events: z.array(z.unknown()).min(1).max(maxBatch) }).strict(),
  );

const eventSchemaFor = (maxItemsPerEvent: number) =>
  remembered(eventSchemas, maxItemsPerEvent, () => eventSchema.extend({ items: z.array(itemSchema).max(maxItemsPerEvent).default([]) }));

function issueError(error: z.ZodError, prefix: (string | number)[]): BatchError {
  const issue = error.issues[0]!;
  // An unknown key is reported by its own path (events.0.colour), not its parent's.
  const path = [...prefix, ...(issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path)];
  return { ok: false, field: path.length ? path.join('.') : '(body)', message: issue.message };
}

const itemCount = (event: unknown): number => {
  const items = typeof event === 'object' && event !== null ? (event as { items?: unknown }).items : undefined;
  return Array.isArray(items) ? items.length : 0;
};

/** The body's shape, event count and item count, without looking into any event. */
export function readBatchEnvelope(body: unknown, limits: EventBatchLimits): { ok: true; envelope: BatchEnvelope } | BatchError {
  const result = envelopeSchema(limits.maxBatch).safeParse(body);
  if (!result.success) return issueError(result.error, []);
  let items = 0;
  for (const event of result.data.events) items += itemCount(event);
  if (limits.maxItemsPerBatch !== undefined && items > limits.maxItemsPerBatch) {
    return { ok: false, field: 'events', message: `at most ${limits.maxItemsPerBatch} items in one call, all events together (this one has ${items})` };
  }
  const { shopperId, events } = result.data;
  return { ok: true, envelope: { events, items, ...(shopperId !== undefined ? { shopperId } : {}) } };
}

function eventTimeError(at: number, now: number): string | null {
  if (!Number.isFinite(at) || at < EARLIEST_EVENT_AT) return 'must not be before 2000-01-01 (epoch milliseconds or ISO-8601)';
  if (at > now + LATEST_EVENT_AHEAD_MS) return 'must not be more than a day in the future';
  return null;
}

/** One event of the envelope, validated and turned into a domain event. */
function parseEvent(raw: unknown, index: number, limits: EventBatchLimits, now: number): { ok: true; event: ShopperEvent } | BatchError {
  const result = eventSchemaFor(limits.maxItemsPerEvent).safeParse(raw);
  if (!result.success) return issueError(result.error, ['events', index]);
  const event = result.data;
  if (event.type !== 'search' && event.items.length === 0) {
    return { ok: false, field: `events.${index}.items`, message: `a ${event.type} event needs at least one item` };
  }
  const at = event.at === undefined ? now : typeof event.at === 'number' ? event.at : Date.parse(event.at);
  const badTime = eventTimeError(at, now);
  if (badTime) return { ok: false, field: `events.${index}.at`, message: badTime };
  return {
    ok: true,
    event: {
      id: event.id ?? randomUUID(),
      type: event.type,
      at,
      items: event.items,
      ...(event.query !== undefined ? { query: event.query } : {}),
    },
  };
}

function batchOf(envelope: BatchEnvelope, events: ShopperEvent[]): EventBatchResult {
  return { ok: true, batch: { events, ...(envelope.shopperId !== undefined ? { shopperId: envelope.shopperId } : {}) } };
}

/** Validates an envelope's events in one go (imports, tools: small batches off the request path). */
export function parseEnvelopeEvents(envelope: BatchEnvelope, limits: EventBatchLimits, now: number): EventBatchResult {
  const events: ShopperEvent[] = [];
  for (const [i, raw] of envelope.events.entries()) {
    const parsed = parseEvent(raw, i, limits, now);
    if (!parsed.ok) return parsed;
    events.push(parsed.event);
  }
  return batchOf(envelope, events);
}

/**
 * Validates an envelope's events `sliceItems` items at a time, giving the event loop a turn
 * between slices, so a large batch never holds a search up for longer than one slice.
 */
export async function parseEnvelopeEventsInSlices(envelope: BatchEnvelope, limits: EventBatchLimits, now: number, sliceItems: number): Promise<EventBatchResult> {
  const events: ShopperEvent[] = [];
  let index = 0;
  for (const [n, slice] of slicesByItems(envelope.events, itemCount, sliceItems).entries()) {
    if (n > 0) await nextTurn();
    for (const raw of slice) {
      const parsed = parseEvent(raw, index++, limits, now);
      if (!parsed.ok) return parsed;
      events.push(parsed.event);
    }
  }
  return batchOf(envelope, events);
}

/** Envelope and events in one synchronous call. */
export function parseEventBatch(body: unknown, limits: EventBatchLimits, now: number): EventBatchResult {
  const read = readBatchEnvelope(body, limits);
  return read.ok ? parseEnvelopeEvents(read.envelope, limits, now) : read;
}
