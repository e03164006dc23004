import { compilePath, isJsonObject } from '../json-path.js';
import type { MultiQueryFormat, MultiQueryRequest, SubRequest } from './multi-query-format.js';
import { count, indexNames, pathOf } from './request-values.js';

/**
 * Elasticsearch and OpenSearch `_msearch`: the request is NDJSON, a header line (`{"index":
 * "products"}`, or empty for the index in the path) and a body line per search; the response is
 * `{ took, responses: [{ took, hits: {...}, status }, { error: {...}, status: 404 }] }` in request
 * order. Sub-responses do not name their index, so it comes from the header at the same position.
 */
export const elasticsearchMsearch: MultiQueryFormat = {
  kind: 'elasticsearch-msearch',
  listPath: compilePath('responses'),
  mergesLists: false,
  sectionPlace: 'member',
  readRequest(body, url) {
    const lines = body.toString('utf8').split('\n');
    if (lines.at(-1)?.trim() === '') lines.pop();
    if (lines.length % 2 !== 0) return null;
    const pathIndexes = indexesInPath(url);
    const queries: SubRequest[] = [];
    for (let k = 0; k < lines.length; k += 2) {
      const header = ndjsonObject(lines[k]!);
      const search = ndjsonObject(lines[k + 1]!);
      if (!header || !search) return null;
      queries.push({ indexes: indexNames(header.index) ?? pathIndexes, pageSize: count(search.size) });
    }
    return { queries, mergedPageSize: undefined } satisfies MultiQueryRequest;
  },
  label(subResult) {
    const status = subResult.status;
    const failed = Object.hasOwn(subResult, 'error') || (typeof status === 'number' && (status < 200 || status >= 300));
    return { index: undefined, pageSize: undefined, error: failed };
  },
};

/** An NDJSON line as an object; an empty line is an empty header. */
function ndjsonObject(line: string): Record<string, unknown> | null {
  if (line.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(line);
    return isJsonObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** `/products/_msearch` → products; `/_msearch` → undefined. */
function indexesInPath(url: string): string[] | undefined {
  const match = /^\/([^/]+)\/_msearch\/?$/.exec(pathOf(url));
  if (!match) return undefined;
  try {
    return indexNames(decodeURIComponent(match[1]!));
  } catch {
    return undefined;
  }
}
