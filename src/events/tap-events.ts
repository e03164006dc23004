import { createHash } from 'node:crypto';
import type { TapConfig } from '../config/schema.js';
import { compilePath, getAt, isJsonObject, type JsonPath } from '../adapters/json-path.js';
import type { EventItem, ShopperEvent } from '../personalization/types.js';

// Turns the JSON of a tapped storefront call into one shopping event. Pure: no I/O.

/** What identifies one tapped call, for a stable event id (a retried call is not counted twice). */
export interface TapCall {
  shopperId: string;
  method: string;
  /** Path and query as the storefront sent them. */
  url: string;
  /** The storefront's request id header, when it sends one. */
  requestId?: string;
  /** The tapped body's bytes (request or response, per the tap's source). */
  body: Buffer;
  now: number;
}

export type TapOutcome = { ok: true; event: ShopperEvent } | { ok: false; reason: 'no-items' };

const MAX_ID = 128;
const MAX_TEXT = 128;
const MAX_QUANTITY = 10_000;
const MINUTE = 60_000;

/**
 * The event id: from the request id when the storefront sends one (a retry carries the same
 * id), otherwise from method, URL, body and the minute, so a client retry within the minute
 * is a duplicate while the same cart call made again later is a new event.
 */
export function tapEventId(tap: TapConfig, call: TapCall): string {
  const hash = createHash('sha256');
  const parts = call.requestId
    ? ['rid', call.shopperId, tap.path, call.method, call.requestId]
    : ['body', call.shopperId, call.method, call.url, createHash('sha256').update(call.body).digest('hex'), String(Math.floor(call.now / MINUTE))];
  hash.update(parts.join('\u0000'));
  return 'tap-' + hash.digest('base64url').slice(0, 24);
}

export function tapEvent(tap: TapConfig, document: unknown, call: TapCall, maxItems: number): TapOutcome {
  const items = readItems(tap, document, maxItems);
  if (items.length === 0 && tap.type !== 'search') return { ok: false, reason: 'no-items' };
  return { ok: true, event: { id: tapEventId(tap, call), type: tap.type, at: call.now, items } };
}

interface TapPaths {
  items: JsonPath;
  id: JsonPath;
  quantity: JsonPath | null;
  price: JsonPath | null;
  brand: JsonPath | null;
  category: JsonPath | null;
}

// Paths are compiled once per tap config object (a reload brings new objects).
const compiled = new WeakMap<TapConfig, TapPaths>();
function pathsOf(tap: TapConfig): TapPaths {
  let paths = compiled.get(tap);
  if (!paths) {
    const optional = (path: string | undefined) => (path ? compilePath(path) : null);
    paths = {
      items: compilePath(tap.itemsPath),
      id: compilePath(tap.idPath),
      quantity: optional(tap.quantityPath),
      price: optional(tap.pricePath),
      brand: optional(tap.brandPath),
      category: optional(tap.categoryPath),
    };
    compiled.set(tap, paths);
  }
  return paths;
}

function readItems(tap: TapConfig, document: unknown, maxItems: number): EventItem[] {
  const { items: itemsPath, id: idPath, quantity: quantityPath, price: pricePath, brand: brandPath, category: categoryPath } = pathsOf(tap);
  const found = getAt(document, itemsPath);
  // One item object (e.g. `POST /cart/items` with `{ "sku": ..., "qty": ... }`) or an array.
  const candidates = Array.isArray(found) ? found : isJsonObject(found) ? [found] : [];
  const items: EventItem[] = [];
  for (const candidate of candidates) {
    if (items.length >= maxItems) break;
    const id = readId(getAt(candidate, idPath));
    if (id === undefined) continue;
    const quantity = quantityPath ? readNumber(getAt(candidate, quantityPath)) : undefined;
    if (quantity !== undefined && (quantity <= 0 || quantity > MAX_QUANTITY)) continue;
    const item: EventItem = { id, quantity: quantity ?? 1 };
    const price = pricePath ? readNumber(getAt(candidate, pricePath)) : undefined;
    if (price !== undefined && price >= 0) item.price = price;
    const brand = brandPath ? readText(getAt(candidate, brandPath)) : undefined;
    if (brand !== undefined) item.brand = brand;
    const category = categoryPath ? readText(getAt(candidate, categoryPath)) : undefined;
    if (category !== undefined) item.category = category;
    items.push(item);
  }
  return items;
}

function readId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string') {
    const id = value.trim();
    if (id.length > 0 && id.length <= MAX_ID) return id;
  }
  return undefined;
}

/** Numbers, and numeric strings (storefronts often send "2" or "3.49"). */
function readNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function readText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text.length > 0 && text.length <= MAX_TEXT ? text : undefined;
}
