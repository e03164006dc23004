import { isJsonObject } from '../json-path.js';

// Small readers for the loosely typed values storefront clients send.

/** A JSON body, or null when it does not parse to an object. */
export function jsonObject(body: Buffer | string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** A non-negative integer from a number or a numeric string (`"0"` in a query string). */
export function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The first of the values that is a count. */
export function firstCount(...values: unknown[]): number | undefined {
  for (const value of values) {
    const n = count(value);
    if (n !== undefined) return n;
  }
  return undefined;
}

/** Index names from a string (`a,b`) or an array of strings; undefined when none are named. */
export function indexNames(value: unknown): string[] | undefined {
  const parts = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const names = parts.map((p) => p.trim()).filter((p) => p !== '');
  return names.length > 0 ? names : undefined;
}

/** The query string of a request URL (`/multi_search?collection=products`). */
export function queryParams(url: string): URLSearchParams {
  const at = url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : url.slice(at + 1));
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}
