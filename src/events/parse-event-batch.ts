import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EVENT_TYPES } from '../config/schema.js';
import type { ShopperEvent } from '../personalization/types.js';

// The events API body, parsed once at the boundary into domain events. A batch is accepted whole
// or rejected whole: any invalid event rejects the batch with the path of the first bad field.

const tag = z.string().min(1).max(64);
const itemSchema = z
  .object({
    id: z.union([z.string().min(1).max(128), z.number().int().nonnegative()]).transform(String),
    quantity: z.number().positive().max(10_000).default(1),
    price: z.number().nonnegative().max(1e7).optional(),
    brand: z.string().min(1).max(128).optional(),
    category: z.string().min(1).max(128).optional(),
    tags: z.array(tag).max(32).optional(),
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

export interface EventBatchLimits {
  maxBatch: number;
  maxItemsPerEvent: number;
}

export interface ParsedEventBatch {
  events: ShopperEvent[];
  /** Set only in the admin form: the shopper the batch is for. */
  shopperId?: string;
}

export type EventBatchResult = { ok: true; batch: ParsedEventBatch } | { ok: false; field: string; message: string };

export function parseEventBatch(body: unknown, limits: EventBatchLimits, now: number): EventBatchResult {
  const schema = z
    .object({
      shopperId: z.string().min(1).max(256).optional(),
      events: z.array(eventSchema.extend({ items: z.array(itemSchema).max(limits.maxItemsPerEvent).default([]) })).min(1).max(limits.maxBatch),
    })
    .strict();
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    // An unknown key is reported by its own path (events.0.colour), not its parent's.
    const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
    return { ok: false, field: path.length ? path.join('.') : '(body)', message: issue.message };
  }
  for (const [i, event] of result.data.events.entries()) {
    if (event.type !== 'search' && event.items.length === 0) {
      return { ok: false, field: `events.${i}.items`, message: `a ${event.type} event needs at least one item` };
    }
  }
  const events = result.data.events.map(
    (event): ShopperEvent => ({
      id: event.id ?? randomUUID(),
      type: event.type,
      at: event.at === undefined ? now : typeof event.at === 'number' ? event.at : Date.parse(event.at),
      items: event.items.map((item) => ({ ...item, id: item.id })),
      ...(event.query !== undefined ? { query: event.query } : {}),
    }),
  );
  return { ok: true, batch: { events, ...(result.data.shopperId !== undefined ? { shopperId: result.data.shopperId } : {}) } };
}
