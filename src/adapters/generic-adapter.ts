import type { GenericPaths } from '../config/schema.js';
import type { HitView, ParsedHits, SearchAdapter } from './adapter.js';
import { addTags, idOf, priceOf, textOf, viewOf } from './hit-fields.js';
import { hitList } from './hit-list.js';
import { compilePath, getAt, type JsonPath } from './json-path.js';

/**
 * Home-grown JSON APIs, driven by configured dot paths (see json-path.ts):
 *   hitsPath  where the hits array is, from the document (`data.items`; `""` = the document is
 *             the array, as json-server returns it)
 *   idPath    the product id, from each hit (`id`, `product.sku`)
 *   brandPath, categoryPath, tagsPath, pricePath, namePath  the product fields, from each hit
 * A field whose path is not configured is read from the common field names the built-in adapters
 * use (hit-fields.ts), so `brand`/`category`/`tags` work without any config.
 *
 * A bare top-level array is reranked in place, but `inject` returns false: an array has no key
 * to hold the section, and wrapping it would break the storefront's parser.
 *
 * Paths are compiled once here; a malformed path (`a..b`) throws, at start.
 */
export function createGenericAdapter(paths: GenericPaths): SearchAdapter {
  const hitsPath = compilePath(paths.hitsPath);
  const idPath = compilePath(paths.idPath);
  const optional = (path: string | undefined): JsonPath | undefined =>
    path === undefined ? undefined : compilePath(path);
  const brandPath = optional(paths.brandPath);
  const categoryPath = optional(paths.categoryPath);
  const tagsPath = optional(paths.tagsPath);
  const pricePath = optional(paths.pricePath);
  const namePath = optional(paths.namePath);
  const anyConfigured = [brandPath, categoryPath, tagsPath, pricePath, namePath].some((p) => p !== undefined);

  function view(index: number, hit: unknown): HitView {
    const id = idOf(getAt(hit, idPath));
    // Common names first, then the configured paths override field by field.
    const result = viewOf(index, id, hit);
    if (!anyConfigured) return result;
    if (brandPath) setOrDelete(result, 'brand', textOf(getAt(hit, brandPath)));
    if (categoryPath) setOrDelete(result, 'category', textOf(getAt(hit, categoryPath)));
    if (namePath) setOrDelete(result, 'name', textOf(getAt(hit, namePath)));
    if (pricePath) setOrDelete(result, 'price', priceOf(getAt(hit, pricePath)));
    if (tagsPath) {
      result.tags = [];
      addTags(result.tags, getAt(hit, tagsPath));
    }
    return result;
  }

  return {
    name: 'generic',
    parse(document): ParsedHits | null {
      const list = getAt(document, hitsPath);
      if (!Array.isArray(list)) return null;
      const views: HitView[] = new Array<HitView>(list.length);
      for (let i = 0; i < list.length; i++) views[i] = view(i, list[i]);
      return hitList(document, list, views, hitsPath);
    },
  };
}

type OptionalField = 'brand' | 'category' | 'name' | 'price';

/** A configured path is authoritative: when it finds nothing, the field is missing. */
function setOrDelete<K extends OptionalField>(view: HitView, field: K, value: HitView[K] | undefined): void {
  if (value === undefined) delete view[field];
  else view[field] = value;
}
