/**
 * A backend response shape. An adapter finds the hits in a parsed response, describes each hit
 * in domain terms (id, brand, category, tags, price), puts reordered hits back, and injects the
 * personalization section. Adapters are pure: no I/O, they only read and edit the parsed JSON.
 */
export interface HitView {
  /** Position in the backend's order (0-based). */
  index: number;
  id: string;
  brand?: string;
  category?: string;
  tags: string[];
  price?: number;
  name?: string;
}

export interface ParsedHits {
  hits: HitView[];
  /** Puts hits back in this order (indexes into the original `hits`); may drop (hard filters only). */
  reorder(order: number[]): void;
  /** Adds a marker field to the hit at original index `index` (opt-in, off by default). */
  mark(index: number, field: string, value: unknown): void;
  /** Injects the section under `key`; false when the shape has no room (a bare array). */
  inject(key: string, section: unknown): boolean;
  /** The (edited) document to serialize. */
  document(): unknown;
}

export interface SearchAdapter {
  readonly name: string;
  /** null when the document does not have this adapter's shape (reason=adapter-mismatch). */
  parse(document: unknown): ParsedHits | null;
}
