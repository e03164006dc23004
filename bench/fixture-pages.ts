import { searchResponse } from '../src/demo/demo-search-backend.js';

// The fixture backend's pages: Elasticsearch-shaped search responses over the demo catalog. Each
// hit's _source carries an image URL and a stock flag like a real shop's index, which brings a
// 24-hit page to about 6 KB.

/** The query every bench search asks for (matches 320 of the 470 demo products). */
export const BENCH_QUERY = 'vegan';

export function buildPage(size: number): Buffer {
  const doc = searchResponse('products', BENCH_QUERY, size) as { hits: { hits: { _id: string; _source: object }[] } };
  for (const hit of doc.hits.hits) {
    hit._source = { ...hit._source, image: `https://img.example-shop.com/products/${hit._id}/main-480x480.jpg`, in_stock: true };
  }
  return Buffer.from(JSON.stringify(doc));
}
