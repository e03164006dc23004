import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { isValidShopperId } from '../identity/shopper-identity.js';
import type { EventItem, ShopperEvent } from '../personalization/types.js';
import { parseEventBatch } from './parse-event-batch.js';

// The two bulk-import formats, parsed line by line into domain types. Pure: no I/O.
//
// JSONL: one event per line, the events API's event plus `shopperId`:
//   {"shopperId":"u-1","id":"o-77","type":"purchase","at":"2026-01-05T10:00:00Z","items":[{"id":"sku-1","quantity":2}]}
// CSV order history: a header row, then one row per product in an order:
//   shopper_id,order_id,product_id,at[,quantity,brand,category,price,tags] (any order, others ignored)
// Rows of one order are expected next to each other (they become one purchase event).

export type ImportFormat = 'jsonl' | 'csv';

export interface ImportLimits {
  maxItemsPerEvent: number;
  maxIdLength: number;
}

export type LineResult<T> = { ok: true; value: T } | { ok: false; message: string };

const ID_HASH_CHARS = 24;
const hashId = (prefix: string, parts: string[]) => prefix + createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, ID_HASH_CHARS);

export function detectFormat(file: string, firstLine: string): ImportFormat {
  if (/\.jsonl?$|\.ndjson$/i.test(file)) return 'jsonl';
  if (/\.csv$/i.test(file)) return 'csv';
  return firstLine.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

export interface ImportedEvent {
  shopperId: string;
  event: ShopperEvent;
}

/**
 * One JSONL line. An event without an `id` gets one derived from the shopper and the line's
 * content, so importing the same file again never counts it twice.
 */
export function parseJsonlLine(text: string, limits: ImportLimits, now: number): LineResult<ImportedEvent> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `not JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'expected one JSON object per line' };
  const { shopperId, ...event } = value as Record<string, unknown>;
  if (typeof shopperId !== 'string' || !isValidShopperId(shopperId, limits.maxIdLength)) {
    return { ok: false, message: `shopperId: 1-${limits.maxIdLength} letters, digits or _ . : @ -` };
  }
  if (event.id === undefined) event.id = hashId('imp-', [shopperId, text.trim()]);
  const parsed = parseEventBatch({ events: [event] }, { maxBatch: 1, maxItemsPerEvent: limits.maxItemsPerEvent }, now);
  if (!parsed.ok) return { ok: false, message: `${parsed.field.replace(/^events\.0\.?/, '') || '(line)'}: ${parsed.message}` };
  return { ok: true, value: { shopperId, event: parsed.batch.events[0]! } };
}

export const CSV_REQUIRED = ['shopper_id', 'order_id', 'product_id', 'at'] as const;
/** quantity defaults to 1; tags are separated by `|` or `;`. */
export const CSV_OPTIONAL = ['quantity', 'brand', 'category', 'price', 'tags'] as const;

/** Column positions from the header row; other columns are ignored. */
export type CsvColumns = Partial<Record<(typeof CSV_REQUIRED)[number] | (typeof CSV_OPTIONAL)[number], number>>;

export function splitCsvLine(text: string): string[] {
  // Without quotes a comma always separates fields (RFC 4180), so a plain split is exact and
  // ~100x cheaper than a parser per line; quoted lines go to csv-parse.
  if (!text.includes('"')) return text.split(',');
  const rows = parseCsv(text, { relax_quotes: true }) as string[][];
  return rows[0] ?? [];
}

export function parseCsvHeader(text: string): LineResult<CsvColumns> {
  const names = splitCsvLine(text).map((n) => n.trim().toLowerCase());
  const columns: CsvColumns = Object.fromEntries([...CSV_REQUIRED, ...CSV_OPTIONAL].map((column) => [column, names.indexOf(column)]).filter(([, index]) => index !== -1));
  const missing = CSV_REQUIRED.filter((column) => !Object.hasOwn(columns, column));
  if (missing.length > 0) return { ok: false, message: `header: missing column(s) ${missing.join(', ')} (need ${CSV_REQUIRED.join(', ')})` };
  return { ok: true, value: columns };
}

/** One CSV row: one product of one order. */
export interface OrderLine {
  shopperId: string;
  orderId: string;
  at: number;
  item: EventItem;
}

const MAX_TEXT = 128;

export function parseCsvRow(text: string, columns: CsvColumns, limits: ImportLimits): LineResult<OrderLine> {
  let fields: string[];
  try {
    fields = splitCsvLine(text);
  } catch (err) {
    return { ok: false, message: `not a CSV row (${(err as Error).message})` };
  }
  const get = (name: keyof CsvColumns) => {
    const index = columns[name];
    return index === undefined ? '' : (fields[index] ?? '').trim();
  };
  const shopperId = get('shopper_id');
  if (!isValidShopperId(shopperId, limits.maxIdLength)) return { ok: false, message: `shopper_id: 1-${limits.maxIdLength} letters, digits or _ . : @ -` };
  const orderId = get('order_id');
  if (orderId.length === 0 || orderId.length > MAX_TEXT) return { ok: false, message: 'order_id: required, at most 128 characters' };
  const productId = get('product_id');
  if (productId.length === 0 || productId.length > MAX_TEXT) return { ok: false, message: 'product_id: required, at most 128 characters' };
  const quantityText = get('quantity');
  const quantity = quantityText === '' ? 1 : Number(quantityText);
  if (!Number.isFinite(quantity) || quantity <= 0 || quantity > 10_000) return { ok: false, message: `quantity: a number above 0 and at most 10000, got ${JSON.stringify(quantityText)}` };
  const at = parseTime(get('at'));
  if (at === undefined) return { ok: false, message: `at: an ISO-8601 time or epoch seconds/milliseconds, got ${JSON.stringify(get('at'))}` };
  const item: EventItem = { id: productId, quantity };
  const brand = get('brand');
  if (brand && brand.length <= MAX_TEXT) item.brand = brand;
  const category = get('category');
  if (category && category.length <= MAX_TEXT) item.category = category;
  const priceText = get('price');
  if (priceText) {
    const price = Number(priceText);
    if (!Number.isFinite(price) || price < 0) return { ok: false, message: `price: a number of at least 0, got ${JSON.stringify(priceText)}` };
    item.price = price;
  }
  const tags = get('tags')
    .split(/[|;]/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0 && t.length <= 64)
    .slice(0, 32);
  if (tags.length > 0) item.tags = tags;
  return { ok: true, value: { shopperId, orderId, at, item } };
}

/** ISO-8601, or epoch seconds (9-11 digits) or milliseconds (12-16 digits). */
function parseTime(text: string): number | undefined {
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  if (/^\d{12,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

/**
 * Groups the rows of one order (next to each other in the file) into one purchase event. The
 * event id is derived from the shopper, the order id and the order's products, so a rerun
 * produces the same ids and the store drops them as duplicates.
 */
export class OrderGrouper {
  private open: { shopperId: string; orderId: string; at: number; items: Map<string, EventItem>; start: number; lineNo: number } | null = null;

  constructor(private readonly maxItems: number) {}

  /** Adds a row; returns the previous order when this row starts a new one (or it is full). */
  add(line: OrderLine, start: number, lineNo: number): GroupedOrder | null {
    const open = this.open;
    if (open && open.shopperId === line.shopperId && open.orderId === line.orderId) {
      const same = open.items.get(line.item.id);
      if (same) same.quantity += line.item.quantity;
      else if (open.items.size < this.maxItems) open.items.set(line.item.id, { ...line.item });
      else {
        const full = this.flush();
        this.open = { shopperId: line.shopperId, orderId: line.orderId, at: line.at, items: new Map([[line.item.id, { ...line.item }]]), start, lineNo };
        return full;
      }
      return null;
    }
    const done = this.flush();
    this.open = { shopperId: line.shopperId, orderId: line.orderId, at: line.at, items: new Map([[line.item.id, { ...line.item }]]), start, lineNo };
    return done;
  }

  /** Where the order still being collected starts (for a checkpoint), if any. */
  openAt(): { start: number; lineNo: number } | null {
    return this.open ? { start: this.open.start, lineNo: this.open.lineNo } : null;
  }

  flush(): GroupedOrder | null {
    const open = this.open;
    if (!open) return null;
    this.open = null;
    const items = [...open.items.values()];
    const products = items.map((i) => i.id).sort();
    return {
      shopperId: open.shopperId,
      start: open.start,
      lineNo: open.lineNo,
      event: { id: hashId('ord-', [open.shopperId, open.orderId, ...products]), type: 'purchase', at: open.at, items },
    };
  }
}

export interface GroupedOrder extends ImportedEvent {
  /** Byte offset and line number of the order's first row. */
  start: number;
  lineNo: number;
}
