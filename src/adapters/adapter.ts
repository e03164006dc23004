import type { HitView } from '../personalization/hit-view.js';

/** Ranking's view of a hit (personalization owns it); adapters build it. */
export type { HitView };

/**
 * A backend response shape. An adapter finds the hits in a parsed response, describes each hit
 * in domain terms (id, brand, category, tags, price), puts reordered hits back, and injects the
 * personalization section. Adapters are pure: no I/O, they only read and edit the parsed JSON.
 */
export interface ParsedHits {
  hits: HitView[];
  /**
   * Puts hits back in this order (indexes into the original `hits`); may drop (hard filters only).
   * Never invents or duplicates a hit: an order naming a missing hit, or one hit twice, throws
   * and leaves the document untouched. Counts (`hits.total`, `numFound`, ...) are not adjusted.
   */
  reorder(order: number[]): void;
  /**
   * Adds a marker field to the hit at original index `index` (opt-in, off by default); on the
   * hit object next to its id (ES/OpenSearch: next to `_id`; Typesense: on the hit wrapper).
   */
  mark(index: number, field: string, value: unknown): void;
  /** Injects the section under `key`; false when the shape has no room (a bare array). */
  inject(key: string, section: unknown): boolean;
  /** The (edited) document to serialize. */
  document(): unknown;
  /**
   * The response as `reorder(order)`, `mark(i, marker, true)` for each of `marked` and
   * `inject(sectionKey, section)` followed by JSON.stringify would give it, but built from the
   * backend's own bytes (`raw`, the text that was parsed): the hits keep their exact bytes, and
   * only the markers and the section are serialized. Leaves the parsed document untouched.
   * null when it cannot be built that way (the caller serializes the document instead).
   */
  splice(raw: Buffer, edit: SpliceEdit): Buffer | null;
}

export interface SpliceEdit {
  order: readonly number[];
  /** Original indexes of the hits that get `marker: true`. */
  marked: readonly number[];
  marker: string | undefined;
  sectionKey: string;
  section: unknown;
}

export interface SearchAdapter {
  readonly name: string;
  /** null when the document does not have this adapter's shape (reason=adapter-mismatch). */
  parse(document: unknown): ParsedHits | null;
}
