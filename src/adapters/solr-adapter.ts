import type { HitView, SearchAdapter } from './adapter.js';
import { idOf, viewOf } from './hit-fields.js';
import { hitList } from './hit-list.js';
import { compilePath, isJsonObject } from './json-path.js';

const HITS_PATH = compilePath('response.docs');

/**
 * Solr's JSON response writer: `{ responseHeader, response: { numFound, start, docs: [...] } }`.
 * Each doc is the hit (id `id`); multi-valued fields come as arrays, whose first entry counts for
 * brand, category, name and price. Grouped responses (`grouped`, no `response`) do not match.
 */
export const solrAdapter: SearchAdapter = {
  name: 'solr',
  parse(document) {
    if (!isJsonObject(document) || !isJsonObject(document.response)) return null;
    const list = document.response.docs;
    if (!Array.isArray(list)) return null;
    const views: HitView[] = new Array<HitView>(list.length);
    for (let i = 0; i < list.length; i++) {
      const doc: unknown = list[i];
      views[i] = viewOf(i, isJsonObject(doc) ? idOf(doc.id) : '', doc);
    }
    return hitList(document, list, views, HITS_PATH);
  },
};
