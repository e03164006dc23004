import type { HitView, SearchAdapter } from './adapter.js';
import { idOf, viewOf } from './hit-fields.js';
import { hitList } from './hit-list.js';
import { compilePath, isJsonObject } from './json-path.js';

const HITS_PATH = compilePath('hits');

/**
 * Typesense's search response: `{ found, out_of, page, search_time_ms, request_params,
 * hits: [{ document: { id, ... }, highlights, text_match }] }`. The product is the hit's
 * `document`; a marker goes on the hit wrapper, next to `text_match`, so the document keeps
 * exactly the fields of the collection's schema. Hits that all lack a `document` are some other
 * backend's shape (mismatch); grouped responses (`grouped_hits`, no `hits`) do not match either.
 */
export const typesenseAdapter: SearchAdapter = {
  name: 'typesense',
  parse(document) {
    if (!isJsonObject(document)) return null;
    const list = document.hits;
    if (!Array.isArray(list)) return null;
    const views: HitView[] = new Array<HitView>(list.length);
    let documents = 0;
    for (let i = 0; i < list.length; i++) {
      const hit: unknown = list[i];
      const product = isJsonObject(hit) ? hit.document : undefined;
      if (isJsonObject(product)) {
        documents++;
        views[i] = viewOf(i, idOf(product.id), product);
      } else {
        views[i] = viewOf(i, '', undefined);
      }
    }
    if (list.length > 0 && documents === 0) return null;
    return hitList(document, list, views, HITS_PATH);
  },
};
