import type { HitView } from './adapter.js';
import { isJsonObject } from './json-path.js';

/**
 * Converts one backend hit's fields into the domain terms ranking uses, at the boundary.
 *
 * The built-in adapters read common field names, first match wins:
 *   brand    `brand`, `brand_name`
 *   category `category`, `categories` (first entry), `department`
 *   tags     `tags`, `dietary`, `labels` (all of them, merged; a single string is one tag)
 *   price    `price` (a number or a numeric string such as "2.49")
 *   name     `name`, `title`, `product_name`
 * A scalar field may also come as an array (Solr multi-valued fields, Elasticsearch `fields`):
 * its first entry counts. Anything else (objects, empty strings, NaN) counts as missing.
 */

const BRAND_FIELDS = ['brand', 'brand_name'] as const;
const CATEGORY_FIELDS = ['category', 'categories', 'department'] as const;
const TAG_FIELDS = ['tags', 'dietary', 'labels'] as const;
const NAME_FIELDS = ['name', 'title', 'product_name'] as const;
const NUMERIC = /^\s*-?(?:\d+\.?\d*|\.\d+)\s*$/;

/** A backend id as a string: strings as they are, finite numbers as decimal, anything else "". */
export function idOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/** A non-empty string, or the first entry of an array when that is one. */
export function textOf(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A finite number, a numeric string, or the first entry of an array when that is one. */
export function priceOf(value: unknown): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return undefined;
}

/** Appends the string tags in `value` (a string or an array of strings) to `into`, once each. */
export function addTags(into: string[], value: unknown): void {
  if (typeof value === 'string') {
    if (value !== '' && !into.includes(value)) into.push(value);
    return;
  }
  if (!Array.isArray(value)) return;
  for (const tag of value) {
    if (typeof tag === 'string' && tag !== '' && !into.includes(tag)) into.push(tag);
  }
}

function firstText(source: Record<string, unknown> | undefined, fields: readonly string[]): string | undefined {
  if (source === undefined) return undefined;
  for (const field of fields) {
    if (!Object.hasOwn(source, field)) continue;
    const text = textOf(source[field]);
    if (text !== undefined) return text;
  }
  return undefined;
}

function priceIn(source: Record<string, unknown> | undefined): number | undefined {
  return source !== undefined && Object.hasOwn(source, 'price') ? priceOf(source.price) : undefined;
}

function addTagsIn(into: string[], source: Record<string, unknown> | undefined): void {
  if (source === undefined) return;
  for (const field of TAG_FIELDS) {
    if (Object.hasOwn(source, field)) addTags(into, source[field]);
  }
}

/**
 * The view of one hit. `source` holds the product fields (ES `_source`, a Typesense `document`,
 * or the hit itself); when it is not an object the hit has no fields (but keeps its place).
 * `fallback` (ES `fields`) answers, field by field, what `source` does not have: a hit with a
 * partial `_source` and the brand in `fields` keeps its brand.
 */
export function viewOf(index: number, id: string, source: unknown, fallback?: unknown): HitView {
  // Every field is present (undefined when the hit has none), so all views share one shape and
  // the ranker's property reads stay monomorphic.
  const view: HitView = { index, id, brand: undefined, category: undefined, tags: [], price: undefined, name: undefined };
  const first = isJsonObject(source) ? source : undefined;
  const second = fallback !== undefined && isJsonObject(fallback) ? fallback : undefined;
  if (first === undefined && second === undefined) return view;
  view.brand = firstText(first, BRAND_FIELDS) ?? firstText(second, BRAND_FIELDS);
  view.category = firstText(first, CATEGORY_FIELDS) ?? firstText(second, CATEGORY_FIELDS);
  addTagsIn(view.tags, first);
  if (view.tags.length === 0) addTagsIn(view.tags, second);
  view.price = priceIn(first) ?? priceIn(second);
  view.name = firstText(first, NAME_FIELDS) ?? firstText(second, NAME_FIELDS);
  return view;
}
