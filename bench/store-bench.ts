// Profile store benchmark: read latency (p50/p99) of the memory store, the Redis store and the
// resilient store (near-cache hit, and through the breaker to Redis), and bytes per typical
// profile in Redis (MEMORY USAGE) and in memory (counted bytes and measured heap growth).
// Run: npx tsx bench/store-bench.ts   (starts its own redis-server on a free loopback port)
// Writes the "Profile store" section of bench/RESULTS.md.

import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { configSchema } from '../src/config/schema.js';
import { writeSection } from '../src/evaluation/results-file.js';
import { createLogger } from '../src/logging/logger.js';
import type { ShopperProfile } from '../src/personalization/types.js';
import { createProfileStore } from '../src/store/create-profile-store.js';
import { ENTRY_OVERHEAD_BYTES, MemoryProfileStore } from '../src/store/memory-profile-store.js';
import { encodeProfile } from '../src/store/profile-codec.js';
import { createRedisClient } from '../src/store/redis-client.js';
import { RedisProfileStore } from '../src/store/redis-profile-store.js';
import type { ResilientProfileStore } from '../src/store/resilient-profile-store.js';
import { typicalProfile } from '../test/store/profile-fixtures.js';
import { startRedis } from '../test/support/redis-server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NOW = Date.UTC(2026, 10, 25, 12);
const SHOPPERS = 2_000;
const MEMORY_SHOPPERS = 20_000;
const READS = 20_000;
const GROCERY_DIR = '../shared/data/grocery';

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

async function latency(read: (id: string) => Promise<unknown>, ids: string[], count: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 2_000; i++) await read(ids[i % ids.length]!); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = ids[(i * 7919) % ids.length]!;
    const started = performance.now();
    await read(id);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/** Heap + ArrayBuffer growth per shopper between a first and a second fill (module and JIT noise excluded). */
function heapPerShopper(profiles: ShopperProfile[]): { counted: number; heap: number } {
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const store = new MemoryProfileStore({ maxShoppers: 1e9, maxBytes: 1e12, sessionTtlMs: 3_600_000, seenEventIdsMax: 128, updater: (s) => s });
  const fill = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `shopper-${i}`;
      store.put(id, { profile: profiles[i % profiles.length]!, settings: { personalization: true, features: {}, dietary: [], updatedAt: NOW }, session: null }, NOW);
      store.rememberEvents(id, [`evt-${i}-1`, `evt-${i}-2`, `evt-${i}-3`]);
    }
  };
  const half = Math.floor(profiles.length / 2);
  fill(0, half);
  gc();
  gc();
  const before = used();
  const countedBefore = store.stats().bytes;
  fill(half, profiles.length);
  gc();
  gc();
  const n = profiles.length - half;
  const result = { counted: (store.stats().bytes - countedBefore) / n, heap: (used() - before) / n };
  void store.close();
  return result;
}

/** Shoppers rebuilt from the grocery data set by the real profile updater (if the data is here). */
async function groceryProfiles(): Promise<ShopperProfile[] | null> {
  if (!existsSync(`${GROCERY_DIR}/orders.csv`)) return null;
  const { loadGroceryData } = await import('../src/evaluation/grocery-data.js');
  const { prepare } = await import('../src/evaluation/run-evaluation.js');
  return prepare(loadGroceryData(GROCERY_DIR), configSchema.parse({}).personalization).shoppers.map((s) => s.profile);
}

async function main(): Promise<void> {
  const server = await startRedis();
  const lines: string[] = [];
  const log = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  try {
    const profiles = Array.from({ length: SHOPPERS }, (_, i) => typicalProfile(NOW, i + 1));
    const ids = profiles.map((_, i) => `shopper-${i}`);
    const encoded = profiles.map((p) => encodeProfile(p).length).sort((a, b) => a - b);
    const json = profiles.map((p) => JSON.stringify(p).length).sort((a, b) => a - b);

    // Redis: write every profile through the store (Lua CAS path), then read them back.
    const config = configSchema.parse({ store: { redis: { url: server.url, keyPrefix: 'bench', commandTimeoutMs: 1000 }, memory: { nearCacheTtlMs: 0 } } });
    const bySeed = new Map(profiles.map((p, i) => [`seed-${i}`, p]));
    const redis = new RedisProfileStore({
      client: createRedisClient(config.store.redis),
      keyPrefix: 'bench',
      retentionDays: 365,
      sessionTtlMs: 3_600_000,
      seenEventIdsMax: 128,
      seenEventIdsTtlMs: 7 * 86_400_000,
      updater: (_state, events) => ({ profile: bySeed.get(events[0]!.id)!, session: null }),
    });
    await redis.ready(10_000);
    const usedBefore = Number(/used_memory:(\d+)/.exec(await server.cli('info', 'memory'))![1]);
    for (let i = 0; i < SHOPPERS; i++) await redis.applyEvents(ids[i]!, [{ id: `seed-${i}`, type: 'purchase', at: NOW, items: [] }], NOW);
    const usedAfter = Number(/used_memory:(\d+)/.exec(await server.cli('info', 'memory'))![1]);
    const usage = (await Promise.all(ids.slice(0, 300).map((id) => server.cli('memory', 'usage', `bench:{u:${id}}:p`)))).map(Number).sort((a, b) => a - b);
    const seenUsage = (await Promise.all(ids.slice(0, 300).map((id) => server.cli('memory', 'usage', `bench:{u:${id}}:e`)))).map(Number).sort((a, b) => a - b);

    const memory = new MemoryProfileStore({ maxShoppers: 1e6, maxBytes: 1e10, sessionTtlMs: 3_600_000, seenEventIdsMax: 128, updater: (s) => s });
    profiles.forEach((profile, i) => memory.put(ids[i]!, { profile, settings: null, session: null }, NOW));
    const memoryRead = await latency((id) => memory.read(id, NOW), ids, READS);
    const redisRead = await latency((id) => redis.read(id), ids, READS);

    const resilientConfig = configSchema.parse({ store: { ...config.store, memory: { nearCacheTtlMs: 0 } } });
    const throughBreaker = createProfileStore({ config: resilientConfig, logger: createLogger('silent'), updater: (s) => s }) as ResilientProfileStore;
    await throughBreaker.ready(10_000);
    const breakerRead = await latency((id) => throughBreaker.read(id, Date.now()), ids, READS);
    const cachedConfig = configSchema.parse({ store: { ...config.store, memory: { nearCacheTtlMs: 3_600_000 } } });
    const nearCache = createProfileStore({ config: cachedConfig, logger: createLogger('silent'), updater: (s) => s }) as ResilientProfileStore;
    await nearCache.ready(10_000);
    for (const id of ids) await nearCache.read(id, Date.now());
    const nearRead = await latency((id) => nearCache.read(id, Date.now()), ids, READS);

    const heap = heapPerShopper(Array.from({ length: MEMORY_SHOPPERS }, (_, i) => profiles[i % profiles.length]!));
    const grocery = await groceryProfiles();

    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    log(`Command: \`npx tsx bench/store-bench.ts\`. Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${(await server.cli('info', 'server')).match(/redis_version:(\S+)/)?.[1] ? `Redis ${(await server.cli('info', 'server')).match(/redis_version:(\S+)/)![1]}` : 'Redis'} on loopback. Date: ${new Date().toISOString().slice(0, 10)}. One run, reads one at a time from this process; load average at the end ${loadavg()[0]!.toFixed(1)} (other engineers' tests share the cores, so p99 is noisy; p50 is the figure to compare).`);
    log('');
    log(`Rich shopper (typicalProfile in test/store/profile-fixtures.ts): 50 products (30 bought), brand + category + price on every product, 12 brands, 8 categories, 5 tags; ${SHOPPERS} different ones. Grocery-data shoppers below.`);
    log('');
    log('| profile read, one at a time | p50 | p99 |');
    log('| --- | ---: | ---: |');
    log(`| memory store (decode included) | ${us(memoryRead.p50)} | ${us(memoryRead.p99)} |`);
    log(`| resilient store, near-cache hit | ${us(nearRead.p50)} | ${us(nearRead.p99)} |`);
    log(`| Redis store (MGET + decode) | ${us(redisRead.p50)} | ${us(redisRead.p99)} |`);
    log(`| resilient store, through the breaker to Redis (near cache off) | ${us(breakerRead.p50)} | ${us(breakerRead.p99)} |`);
    log('');
    log('| bytes per rich shopper | median | max |');
    log('| --- | ---: | ---: |');
    log(`| profile as JSON (for comparison) | ${quantile(json, 0.5)} | ${json[json.length - 1]} |`);
    log(`| profile encoded (codec) | ${quantile(encoded, 0.5)} | ${encoded[encoded.length - 1]} |`);
    log(`| Redis \`MEMORY USAGE\` of the profile key | ${quantile(usage, 0.5)} | ${usage[usage.length - 1]} |`);
    log(`| Redis \`MEMORY USAGE\` of the seen-event-ids key (1 id) | ${quantile(seenUsage, 0.5)} | ${seenUsage[seenUsage.length - 1]} |`);
    log(`| Redis used_memory growth / shopper (all keys) | ${((usedAfter - usedBefore) / SHOPPERS).toFixed(0)} | |`);
    log(`| memory store, counted bytes / shopper (limit accounting, overhead constant ${ENTRY_OVERHEAD_BYTES}) | ${heap.counted.toFixed(0)} | |`);
    log(`| memory store, measured heap + ArrayBuffer growth / shopper (${MEMORY_SHOPPERS / 2} shoppers added to ${MEMORY_SHOPPERS / 2}) | ${heap.heap.toFixed(0)} | |`);
    if (grocery) {
      const sizes = grocery.map((p) => ({ products: Object.keys(p.products).length, bytes: encodeProfile(p).length })).sort((a, b) => a.bytes - b.bytes);
      const near50 = sizes.filter((s) => s.products >= 45 && s.products <= 55);
      const sample = grocery.filter((p) => Object.keys(p.products).length >= 45 && Object.keys(p.products).length <= 55);
      const realUsage: number[] = [];
      for (const [i, p] of sample.entries()) {
        await redis.client.set(`bench:{u:grocery-${i}}:p`, Buffer.concat([Buffer.from('1:'), encodeProfile(p)]), 'PX', 86_400_000);
        realUsage.push(Number(await server.cli('memory', 'usage', `bench:{u:grocery-${i}}:p`)));
      }
      realUsage.sort((a, b) => a - b);
      log('');
      log(`Shoppers rebuilt from the grocery data set (${GROCERY_DIR}, ${grocery.length} shoppers, the engine's own updater, no brands or prices in that data): encoded profile median ${quantile(sizes.map((s) => s.bytes), 0.5)} bytes (median ${quantile(sizes.map((s) => s.products).sort((a, b) => a - b), 0.5)} products), p90 ${quantile(sizes.map((s) => s.bytes), 0.9)}; the ${near50.length} shoppers with 45–55 products: median ${quantile(near50.map((s) => s.bytes).sort((a, b) => a - b), 0.5)} bytes encoded, \`MEMORY USAGE\` median ${quantile(realUsage, 0.5)}, max ${realUsage[realUsage.length - 1]}.`);
    }
    await Promise.all([throughBreaker.close(), nearCache.close(), redis.close(), memory.close()]);
  } finally {
    await server.stop();
  }
  writeSection(new URL('./RESULTS.md', import.meta.url).pathname, 'Profile store', lines.join('\n'));
}

await main();
