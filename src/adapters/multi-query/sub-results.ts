import { locateList } from '../json-bytes.js';
import { getAt, isJsonObject } from '../json-path.js';
import type { MultiQueryFormat, MultiQueryRequest } from './multi-query-format.js';

/** Why a sub-result goes out as the backend sent it before any adapter reads it. */
export type SubResultSkip = 'error' | 'facet-only' | 'not-listed' | 'not-an-object';

/** One sub-result of a multi-query response, located in the backend's bytes. */
export interface SubResult {
  /** Its place in the response (0 for a merged list). */
  position: number;
  /** The indexes it answers: named by the response where it names one, else by the request at the same position. */
  indexes: readonly string[] | undefined;
  /** The parsed sub-result (for a merged list: the whole response). */
  document: unknown;
  /** Its bytes in the response: [start, end). */
  start: number;
  end: number;
  skip: SubResultSkip | undefined;
}

export interface SplitResponse {
  /** One merged list (Meilisearch federation, Typesense union) rather than sub-results. */
  merged: boolean;
  subResults: SubResult[];
}

/**
 * The sub-results of a multi-query response, each with the index it answers and whether it may
 * be personalized: not when it is an error, asked for no hits (facets only), or answers an index
 * outside `listed` (the route's `indexes`; undefined = every index). null when the response is
 * not this format's shape, or its bytes cannot be located (a duplicated key: JSON.parse would
 * take the last, the bytes hold both).
 */
export function splitResponse(format: MultiQueryFormat, document: unknown, body: Buffer, request: MultiQueryRequest | null, listed: ReadonlySet<string> | undefined): SplitResponse | null {
  const list = getAt(document, format.listPath);
  if (!Array.isArray(list)) {
    if (!format.mergesLists || !isJsonObject(document) || !Array.isArray(document.hits)) return null;
    return { merged: true, subResults: [mergedList(document, body, request, listed)] };
  }
  const where = locateList(body, format.listPath);
  if (!where || where.starts.length !== list.length) return null;
  // Position links a sub-result to its query only when the request has exactly one query per sub-result.
  const queries = request && request.queries.length === list.length ? request.queries : undefined;
  const subResults = list.map((item: unknown, position): SubResult => {
    const located = { position, document: item, start: where.starts[position]!, end: where.ends[position]! };
    if (!isJsonObject(item)) return { ...located, indexes: undefined, skip: 'not-an-object' };
    const label = format.label(item);
    const query = queries?.[position];
    const indexes = label.index !== undefined ? [label.index] : query?.indexes;
    const pageSize = label.pageSize ?? query?.pageSize;
    const skip = label.error ? 'error' : pageSize === 0 ? 'facet-only' : isListed(indexes, listed) ? undefined : 'not-listed';
    return { ...located, indexes, skip };
  });
  return { merged: false, subResults };
}

/** A merged list answers every index its queries searched; the route must list them all. */
function mergedList(document: Record<string, unknown>, body: Buffer, request: MultiQueryRequest | null, listed: ReadonlySet<string> | undefined): SubResult {
  let indexes: string[] | undefined = request ? [] : undefined;
  for (const query of request?.queries ?? []) {
    if (!query.indexes) {
      indexes = undefined;
      break;
    }
    for (const index of query.indexes) if (!indexes!.includes(index)) indexes!.push(index);
  }
  const skip = request?.mergedPageSize === 0 ? 'facet-only' : isListed(indexes, listed) ? undefined : 'not-listed';
  return { position: 0, indexes, document, start: 0, end: body.length, skip };
}

function isListed(indexes: readonly string[] | undefined, listed: ReadonlySet<string> | undefined): boolean {
  if (!listed) return true;
  return indexes !== undefined && indexes.length > 0 && indexes.every((index) => listed.has(index));
}

/**
 * The response with some sub-results' bytes replaced; every other byte (the untouched
 * sub-results, the envelope, its whitespace) is copied as the backend sent it.
 */
export function joinSubResults(body: Buffer, replacements: ReadonlyArray<{ start: number; end: number; bytes: Buffer }>): Buffer {
  const sorted = [...replacements].sort((a, b) => a.start - b.start);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const { start, end, bytes } of sorted) {
    pieces.push(body.subarray(at, start), bytes);
    at = end;
  }
  pieces.push(body.subarray(at));
  return Buffer.concat(pieces);
}
