import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { purchase } from './profile-fixtures.js';
import { directStore, resilientStore, waitFor } from './store-harness.js';

// After Redis returns and before the journal has drained, Redis's copy lacks the outage writes: a
// read of a shopper with journaled writes must still see them (Redis's copy with the journaled
// writes folded over it), never Redis's copy alone.

const servers: RedisServer[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('reads while the journal replays', () => {
  it('a shopper read during the replay sees Redis history and the outage writes', async () => {
    // Redis that keeps its data across a kill, so its copy after the restart has the history.
    const server = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    servers.push(server);
    const { store, config } = resilientStore({
      redisUrl: server.url,
      keyPrefix: 'rr',
      breaker: { timeoutMs: 500, writeTimeoutMs: 2_000, resetTimeoutMs: 1_000 },
    });
    closers.push(() => store.close());
    await store.ready();
    await store.applyEvents('rr-1', [purchase(Date.now(), [{ id: 'sku-history' }])], Date.now());

    await server.kill('SIGKILL');
    for (let i = 0; i < 4; i++) await store.read(`rr-cold-${i}`, Date.now());
    await waitFor(() => store.health().breaker === 'open', 5_000, 'breaker open');
    // Other shoppers' outage writes first, so the replay is still under way when rr-1 is read.
    for (let i = 0; i < 3_000; i++) await store.applyEvents(`rr-other-${i % 300}`, [purchase(Date.now(), [{ id: `sku-${i}` }])], Date.now());
    const outage = await store.applyEvents('rr-1', [purchase(Date.now(), [{ id: 'sku-outage' }])], Date.now());
    expect(outage.journaled).toBe(true);

    await server.restart();
    await waitFor(() => store.health().breaker === 'closed', 10_000, 'breaker closed');
    const { record } = await store.read('rr-1', Date.now());
    // Still replaying: Redis alone has only the history.
    expect(store.health().journalEntries).toBeGreaterThan(1);
    expect(Object.keys(record.profile?.products ?? {}).sort()).toEqual(['sku-history', 'sku-outage']);

    const inspector = await directStore(config);
    closers.push(() => inspector.close());
    await waitFor(() => store.health().journalEntries === 0, 30_000, 'journal replayed');
    expect(Object.keys((await inspector.read('rr-1')).record.profile?.products ?? {}).sort()).toEqual(['sku-history', 'sku-outage']);
  });
});
