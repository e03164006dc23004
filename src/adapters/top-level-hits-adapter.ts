import type { HitView, ParsedHits, SearchAdapter } from './adapter.js';
import { idOf, viewOf } from './hit-fields.js';
import { hitList } from './hit-list.js';
import { compilePath, isJsonObject } from './json-path.js';

const HITS_PATH = compilePath('hits');

/** Responses whose hits are a top-level `hits` array of flat product objects. */
export function topLevelHitsAdapter(name: string, idField: string): SearchAdapter {
  return {
    name,
    parse(document): ParsedHits | null {
      if (!isJsonObject(document)) return null;
      const list = document.hits;
      if (!Array.isArray(list)) return null;
      const views: HitView[] = new Array<HitView>(list.length);
      for (let i = 0; i < list.length; i++) {
        const hit: unknown = list[i];
        views[i] = viewOf(i, isJsonObject(hit) ? idOf(hit[idField]) : '', hit);
      }
      return hitList(document, list, views, HITS_PATH);
    },
  };
}
