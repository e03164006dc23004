import { searchResponse } from '../src/demo/demo-search-backend.js';

// The fixture backend's pages: Elasticsearch-shaped search responses over the demo catalog. Each
// hit's _source carries an image URL and a stock flag like a real shop's index, which brings a
// 24-hit page to about 6 KB.

/** The query every bench search asks for (matches 320 of the 470 demo products). */
export const BENCH_QUERY = 'vegan';

/**
 * An `_msearch` answer of `queries` sub-responses, each a `size`-hit page (with `status`, as
 * Elasticsearch writes them).
 */
export function buildMsearchPage(size: number, queries: number): Buffer {
  const page = JSON.parse(buildPage(size).toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ took: 5, responses: Array.from({ length: queries }, () => ({ ...page, status: 200 })) }));
}

/** The `_msearch` request body that asks for it: NDJSON, a header and a body line per query. */
export function msearchRequest(size: number, queries: number): string {
  return Array.from({ length: queries }, () => `{"index":"products"}\n${JSON.stringify({ query: { match: { tags: BENCH_QUERY } }, size })}\n`).join('');
}

export function buildPage(size: number): Buffer {
  const doc = searchResponse('products', BENCH_QUERY, size) as { hits: { hits: { _id: string; _source: object }[] } };
  for (const hit of doc.hits.hits) {
    hit._source = { ...hit._source, image: `https://img.example-shop.com/products/${hit._id}/main-480x480.jpg`, in_stock: true };
  }
  return Buffer.from(JSON.stringify(doc));
}
