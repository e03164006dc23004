import type { SearchAdapter } from './adapter.js';
import { topLevelHitsAdapter } from './top-level-hits-adapter.js';

/**
 * Algolia's search response: `{ hits: [{ objectID, ..., _highlightResult }], nbHits, page,
 * nbPages, hitsPerPage, query, params, processingTimeMS }`. Multi-index responses (`results`)
 * do not match. `nbHits` is left as sent.
 */
export const algoliaAdapter: SearchAdapter = topLevelHitsAdapter('algolia', 'objectID');
