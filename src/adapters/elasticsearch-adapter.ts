import type { HitView, ParsedHits, SearchAdapter } from './adapter.js';
import { idOf, viewOf } from './hit-fields.js';
import { hitList } from './hit-list.js';
import { compilePath, isJsonObject } from './json-path.js';

const HITS_PATH = compilePath('hits.hits');

/**
 * Elasticsearch and OpenSearch `_search` responses: `{ took, _shards, hits: { total, max_score,
 * hits: [{ _index, _id, _score, _source }] } }`. The product fields are in `_source`; a field
 * `_source` lacks (the query filtered `_source`, or turned it off) is read from `fields` (their
 * values are arrays, the first entry counts). A marker goes on the hit, next to `_id`. `hits.total` and
 * `max_score` are left as the backend sent them.
 */
function parseSearchResponse(document: unknown): ParsedHits | null {
  if (!isJsonObject(document) || !isJsonObject(document.hits)) return null;
  const list = document.hits.hits;
  if (!Array.isArray(list)) return null;
  const views: HitView[] = new Array<HitView>(list.length);
  for (let i = 0; i < list.length; i++) {
    const hit: unknown = list[i];
    if (!isJsonObject(hit)) {
      views[i] = viewOf(i, '', undefined);
      continue;
    }
    views[i] = viewOf(i, idOf(hit._id), hit._source, hit.fields);
  }
  return hitList(document, list, views, HITS_PATH);
}

export const elasticsearchAdapter: SearchAdapter = { name: 'elasticsearch', parse: parseSearchResponse };

/** OpenSearch kept Elasticsearch 7's response shape. */
export const opensearchAdapter: SearchAdapter = { name: 'opensearch', parse: parseSearchResponse };
