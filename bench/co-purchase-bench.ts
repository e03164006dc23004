// Co-purchase store benchmark (store-wide complementary, issue 9): every order of the grocery
// history goes through the Redis store and the memory store as a purchase; then the cost of a
// search's read (counts of 5 anchors), of a purchase's write, and the memory the counts take.
// Run: npx tsx bench/co-purchase-bench.ts   (starts its own redis-server on a free loopback port)
// Writes the "Co-purchase store" section of bench/RESULTS.md.

import { cpus, loadavg, totalmem } from 'node:os';
import { configSchema } from '../src/config/schema.js';
import { loadGroceryData } from '../src/evaluation/grocery-data.js';
import { writeSection } from '../src/evaluation/results-file.js';
import type { ShopperEvent } from '../src/personalization/types.js';
import { MemoryCoPurchaseStore } from '../src/store/memory-co-purchase-store.js';
import { createRedisClient, waitForReady } from '../src/store/redis-client.js';
import { RedisCoPurchaseStore } from '../src/store/redis-co-purchase-store.js';
import { createKeyLayout } from '../src/store/redis-keys.js';
import { startRedis } from '../test/support/redis-server.js';

const GROCERY_DIR = '../shared/data/grocery';
const READS = 5_000;
const NOW = Date.UTC(2026, 10, 25, 12);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
};

async function main(): Promise<void> {
  const data = loadGroceryData(GROCERY_DIR);
  const orders = [...data.ordersByUser.values()].flat().filter((o) => o.products.length > 0);
  const purchases: [string, ShopperEvent][] = orders.map((o) => [
    `u${o.userId}`,
    { id: o.id, type: 'purchase', at: NOW, items: o.products.map((id) => ({ id, quantity: 1 })) },
  ]);
  const popularity = new Map<string, number>();
  for (const o of orders) for (const p of o.products) popularity.set(p, (popularity.get(p) ?? 0) + 1);
  // Anchors as a search would ask for them: a shopper's 5 most bought products, taken from real shoppers.
  const anchorSets = [...data.ordersByUser.values()].slice(0, 500).map((list) => {
    const counts = new Map<string, number>();
    for (const o of list) for (const p of o.products) counts.set(p, (counts.get(p) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([id]) => id);
  });

  const config = configSchema.parse({});
  const settings = () => config.personalization.coPurchases;
  const redis = await startRedis();
  const rows: string[] = [];
  try {
    const admin = createRedisClient(configSchema.parse({ store: { redis: { url: redis.url } } }).store.redis, 'bench-admin');
    admin.on('error', () => undefined);
    await waitForReady(admin, 5_000);
    const before = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    const store = new RedisCoPurchaseStore({
      connect: () => createRedisClient(configSchema.parse({ store: { redis: { url: redis.url, commandTimeoutMs: 5_000 } } }).store.redis, 'bench'),
      keys: createKeyLayout('bench'),
      settings,
      breaker: { ...config.store.breaker, timeoutMs: 5_000 },
    });
    await store.ready(5_000);
    const writes: number[] = [];
    for (const [shopper, event] of purchases) {
      const started = performance.now();
      await store.recordPurchase(shopper, event, NOW);
      writes.push(performance.now() - started);
    }
    const after = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
    const productKeys = (await admin.keys('bench:cp:*')).length;
    const markerKeys = (await admin.keys('bench:cpe:*')).length;
    const top = [...popularity.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const topBytes = Number(await admin.call('MEMORY', 'USAGE', `bench:cp:${top}`));
    const reads: number[] = [];
    let withCounts = 0;
    for (let i = 0; i < READS; i++) {
      const anchors = anchorSets[i % anchorSets.length]!;
      const started = performance.now();
      const counts = await store.countsFor(anchors);
      reads.push(performance.now() - started);
      if (Object.keys(counts).length > 0) withCounts++;
    }
    await store.close();
    admin.disconnect();

    const memory = new MemoryCoPurchaseStore(settings);
    const memWrites: number[] = [];
    for (const [shopper, event] of purchases) {
      const started = performance.now();
      await memory.recordPurchase(shopper, event, NOW);
      memWrites.push(performance.now() - started);
    }
    const memReads: number[] = [];
    for (let i = 0; i < READS; i++) {
      const started = performance.now();
      await memory.countsFor(anchorSets[i % anchorSets.length]!, NOW);
      memReads.push(performance.now() - started);
    }

    const w = summary(writes);
    const r = summary(reads);
    const mw = summary(memWrites);
    const mr = summary(memReads);
    const lines = orders.reduce((n, o) => n + o.products.length, 0);
    rows.push(
      `Command: \`npx tsx bench/co-purchase-bench.ts\`. Machine: ${cpus()[0]?.model.trim()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, Redis on loopback. Date: ${new Date().toISOString().slice(0, 10)}. One run; load average at the end ${loadavg()[0]!.toFixed(1)} (shared machine: p99 is noisy).`,
      '',
      `Input: every order of the grocery history (${GROCERY_DIR}) as a purchase: ${purchases.length} baskets, ${lines} lines, ${popularity.size} products; default bounds (maxPartners ${settings().maxPartners}, minBaskets ${settings().minBaskets}). Reads: the 5 most-bought products of 500 real shoppers, ${READS} reads one at a time.`,
      '',
      '| operation | p50 | p99 |',
      '| --- | ---: | ---: |',
      `| Redis: a search's read (5 anchors, one ZREVRANGE each, through the breaker) | ${us(r.p50)} | ${us(r.p99)} |`,
      `| Redis: a purchase's write (SET NX marker + one script per product of the basket) | ${us(w.p50)} | ${us(w.p99)} |`,
      `| memory: a search's read | ${us(mr.p50)} | ${us(mr.p99)} |`,
      `| memory: a purchase's write | ${us(mw.p50)} | ${us(mw.p99)} |`,
      '',
      `Redis: ${productKeys} product keys and ${markerKeys} counted-purchase markers; used_memory grew ${((after - before) / 2 ** 20).toFixed(1)} MiB (${((after - before) / Math.max(1, productKeys)).toFixed(0)} bytes per product key, markers included); MEMORY USAGE of the most popular product's key (${settings().maxPartners + 1} members at most, up to twice that before a trim): ${topBytes} bytes. Reads that found counts for at least one anchor: ${((100 * withCounts) / READS).toFixed(0)}%.`,
    );
  } finally {
    await redis.stop();
  }
  const body = rows.join('\n');
  console.log(body);
  if (!process.argv.includes('--no-write')) writeSection('bench/RESULTS.md', 'Co-purchase store', body);
}

await main();
