import type { HitView, ParsedHits } from './adapter.js';
import { isForbiddenKey, isJsonObject } from './json-path.js';

/**
 * The one ParsedHits implementation every adapter shares: the shapes differ only in where the
 * hits array is and how a hit reads, not in how hits are put back, marked or injected.
 *
 * Everything is edited in place, with no copies of hits: `reorder` rewrites the backend's own
 * hits array (so a bare top-level array stays the same object), and the counts next to it
 * (`hits.total`, `numFound`, `nbHits`, `found`, `estimatedTotalHits`) are left as the backend
 * sent them, also when a hard filter dropped hits: they count matches in the index, not hits
 * on this page, and the storefront's paging must keep working.
 */
export function hitList(document: unknown, list: unknown[], views: HitView[]): ParsedHits {
  // The backend's order, captured the first time it changes, so that `mark` and a second
  // `reorder` keep addressing hits by their original index.
  let original: unknown[] | undefined;
  const hitAt = (index: number): unknown => (original ?? list)[index];

  return {
    hits: views,
    reorder(order: number[]): void {
      const from = original ?? list;
      checkOrder(order, from.length);
      original = from === list ? list.slice() : from;
      for (let k = 0; k < order.length; k++) list[k] = original[order[k]!];
      list.length = order.length;
    },
    mark(index: number, field: string, value: unknown): void {
      const hit = hitAt(index);
      // A hit that is not an object (null, a bare id) has nowhere to carry a marker.
      if (isJsonObject(hit) && !isForbiddenKey(field)) hit[field] = value;
    },
    inject(key: string, section: unknown): boolean {
      if (!isJsonObject(document) || isForbiddenKey(key)) return false;
      document[key] = section;
      return true;
    },
    document: () => document,
  };
}

/**
 * An order may only name existing hits, each at most once. It is checked before anything is
 * written, so a bad order throws and leaves the document exactly as the backend sent it (the
 * proxy then passes the original bytes through).
 */
function checkOrder(order: number[], count: number): void {
  if (order.length > count) throw new RangeError(`order has ${order.length} entries for ${count} hits`);
  const seen = new Uint8Array(count);
  for (const i of order) {
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new RangeError(`order names hit ${i} of ${count}`);
    if (seen[i] === 1) throw new RangeError(`order names hit ${i} twice`);
    seen[i] = 1;
  }
}
