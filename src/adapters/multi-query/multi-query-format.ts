import type { JsonPath } from '../json-path.js';

/** The multi-query endpoints sidecart knows, one per engine family. */
export type MultiQueryKind = 'elasticsearch-msearch' | 'algolia-queries' | 'meilisearch-multi-search' | 'typesense-multi-search';

/** What one query of a multi-query request asks for. */
export interface SubRequest {
  /** The indexes (collections) it searches; undefined when the request does not name them. */
  indexes: readonly string[] | undefined;
  /** Hits per page asked for; undefined when it leaves the engine's default. 0 = facets only. */
  pageSize: number | undefined;
}

export interface MultiQueryRequest {
  /** In request order, which is the order of the response's sub-results. */
  queries: SubRequest[];
  /** Page size of a merged list (Meilisearch federation, Typesense union), when the request sets one. */
  mergedPageSize: number | undefined;
}

/** What a sub-result says about itself, where the engine puts it in the response. */
export interface SubResultLabel {
  index: string | undefined;
  pageSize: number | undefined;
  error: boolean;
}

/**
 * Where a personalized sub-result carries the section: as a member of the sub-result object
 * (`_personalization`, like a single response), or as an entry of Algolia's `userData` array,
 * the place InstantSearch hands to the page.
 */
export type SectionPlace = 'member' | 'userData';

/** One engine's multi-query wire format: how to read its request and label its sub-results. */
export interface MultiQueryFormat {
  readonly kind: MultiQueryKind;
  /** The response's array of sub-results (`responses`, `results`). */
  readonly listPath: JsonPath;
  /** The engine can answer with one merged `hits` list instead of sub-results. */
  readonly mergesLists: boolean;
  readonly sectionPlace: SectionPlace;
  /** null when the request body is not this format (the response may still be read). */
  readRequest(body: Buffer, url: string): MultiQueryRequest | null;
  label(subResult: Record<string, unknown>): SubResultLabel;
}
