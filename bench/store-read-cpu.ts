// CPU per profile read of this process, store by store, at a given concurrency: the memory store,
// the resilient store reading Redis on every search (near cache off) and with the default near
// cache. Each read is followed by `usableProfile` (the soundness check every search runs), so a
// store that hands out a new object per read pays for it here as it does in a search.
// Redis runs in its own process: its CPU is not counted, ioredis's and the codec's are.
//
//   npx tsx bench/store-read-cpu.ts [--root DIR] [--seconds S] [--concurrency C] [--shoppers N]
//
// --root points at another tree's modules for an A/B from one command line, e.g. a copied build:
// `--root /tmp/redis-base-dist/src` (default: this checkout's src/ through tsx).

import { parseArgs } from 'node:util';
import { purchaseEvents, shopperIds } from './shoppers.js';
import { startRedis } from '../test/support/redis-server.js';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: new URL('../src', import.meta.url).pathname },
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    shoppers: { type: 'string', default: '200' },
    only: { type: 'string', default: 'memory,redis,redis-near' },
  },
});
const root = values.root.replace(/\/$/, '');
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

type Store = { read(id: string, now: number): Promise<{ record: { profile: unknown } }>; applyEvents(id: string, events: unknown[], now: number): Promise<unknown>; close(): Promise<void>; ready?(ms: number): Promise<boolean> };
const mod = async <T>(path: string): Promise<T> => (await import(`${root}/${path}.js`)) as T;
const { configSchema } = await mod<{ configSchema: { parse(v: unknown): Record<string, never> & { personalization: unknown } } }>('config/schema');
const { createProfileStore } = await mod<{ createProfileStore(o: unknown): Store }>('store/create-profile-store');
const { createProfileUpdater } = await mod<{ createProfileUpdater(p: unknown): unknown }>('personalization/profile-update');
const { usableProfile } = await mod<{ usableProfile(p: unknown, now: number): unknown }>('personalization/profile-guard');
const { createLogger } = await mod<{ createLogger(level: string): unknown }>('logging/logger');

async function measure(store: Store, ids: string[]): Promise<{ cpuUs: number; perSecond: number }> {
  let i = 0;
  const loop = async (until: number) => {
    while (performance.now() < until) {
      const now = Date.now();
      const { record } = await store.read(ids[i++ % ids.length]!, now);
      usableProfile(record.profile, now);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => loop(performance.now() + 500))); // warm-up
  i = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => loop(started + seconds * 1000)));
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / i, perSecond: (i / elapsed) * 1000 };
}

const server = await startRedis();
try {
  const ids = shopperIds(Number(values.shoppers));
  const now = Date.now();
  const modes: [string, Record<string, unknown>][] = [
    ['memory', {}],
    ['redis', { redis: { url: server.url, keyPrefix: 'cpu' }, memory: { nearCacheTtlMs: 0 } }],
    ['redis-near', { redis: { url: server.url, keyPrefix: 'cpu' } }],
  ];
  for (const [name, store] of modes.filter(([n]) => values.only.split(',').includes(n))) {
    const config = configSchema.parse({ store, logging: { level: 'warn' } });
    const s = createProfileStore({ config, logger: createLogger('silent'), updater: createProfileUpdater(config.personalization) });
    await s.ready?.(10_000);
    for (const [index, id] of ids.entries()) await s.applyEvents(id, purchaseEvents(id, index, now), now);
    const r = await measure(s, ids);
    console.log(`${name.padEnd(11)} ${r.cpuUs.toFixed(1).padStart(7)} µs CPU/read  ${Math.round(r.perSecond).toLocaleString('en').padStart(8)} reads/s  (root ${root}, ${concurrency} concurrent, ${seconds} s)`);
    await s.close();
  }
} finally {
  await server.stop();
}
