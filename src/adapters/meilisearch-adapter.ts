import type { SearchAdapter } from './adapter.js';
import { topLevelHitsAdapter } from './top-level-hits-adapter.js';

/**
 * Meilisearch's search response: `{ hits: [...], query, processingTimeMs, limit, offset,
 * estimatedTotalHits }`. The id is read from `id`; an index whose primary key has another name
 * (`sku`, `product_id`) is served by the generic adapter with `hitsPath: hits, idPath: sku`.
 */
export const meilisearchAdapter: SearchAdapter = topLevelHitsAdapter('meilisearch', 'id');
