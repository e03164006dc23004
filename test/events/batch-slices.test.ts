import { describe, expect, it } from 'vitest';
import { slicesByItems } from '../../src/events/batch-slices.js';
import { ingestInSlices } from '../../src/events/ingest-in-slices.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { applyEvents } from '../../src/personalization/profile-update.js';
import { defaultSettings, type ShopperEvent } from '../../src/personalization/types.js';
import { MemoryProfileStore } from '../../src/store/memory-profile-store.js';

const NOW = Date.UTC(2026, 10, 26);
const view = (id: string, items: number): ShopperEvent => ({ id, type: 'view', at: NOW, items: Array.from({ length: items }, (_, i) => ({ id: `${id}-p${i}`, quantity: 1 })) });
const store = () =>
  new MemoryProfileStore({ maxShoppers: 100, maxBytes: 10_000_000, sessionTtlMs: 3_600_000, seenEventIdsMax: 1000, updater: (state, events, now) => applyEvents(state, events, now) });

describe('slicesByItems', () => {
  const sizes = (slices: { items: unknown[] }[][]) => slices.map((slice) => slice.map((e) => e.items.length));
  const events = (...items: number[]) => items.map((n, i) => view(`e${i}`, n));

  it('groups consecutive events up to the item count, in order, never splitting an event', () => {
    expect(sizes(slicesByItems(events(100, 100, 50, 200, 10, 10), (e) => e.items.length, 250))).toEqual([[100, 100, 50], [200, 10, 10]]);
    // An event larger than a slice is a slice of its own.
    expect(sizes(slicesByItems(events(10, 300, 10), (e) => e.items.length, 250))).toEqual([[10], [300], [10]]);
    expect(slicesByItems([], () => 1, 250)).toEqual([]);
  });

  it('counts an event without items as one, so many searches are sliced too', () => {
    expect(slicesByItems(events(0, 0, 0, 0, 0), (e) => e.items.length, 2).map((s) => s.length)).toEqual([2, 2, 1]);
  });
});

describe('ingestInSlices', () => {
  it('applies every slice and sums what each kept; a retry counts all as duplicates', async () => {
    const deps = { store: store(), metrics: createMetrics() };
    const batch = Array.from({ length: 10 }, (_, i) => view(`b${i}`, 100));
    expect(await ingestInSlices(deps, 'shopper', batch, 'api', NOW, 250)).toEqual({ stored: true, applied: 10, duplicates: 0, journaled: false });
    expect((await deps.store.read('shopper', NOW)).record.profile?.signals).toBe(1000);
    expect(await ingestInSlices(deps, 'shopper', batch, 'api', NOW, 250)).toEqual({ stored: true, applied: 0, duplicates: 10, journaled: false });
  });

  it('gives the event loop a turn between slices', async () => {
    const deps = { store: store(), metrics: createMetrics() };
    let turns = 0;
    let counting = true;
    const count = () => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    await ingestInSlices(deps, 'shopper', Array.from({ length: 10 }, (_, i) => view(`t${i}`, 100)), 'api', NOW, 100);
    counting = false;
    // 10 slices: 9 turns between them.
    expect(turns).toBeGreaterThanOrEqual(9);
  });

  it('stops at a slice that is not kept and answers with it (an opt-out is never turned into a 2xx count)', async () => {
    const deps = { store: store(), metrics: createMetrics() };
    await deps.store.writeSettings('quitter', { ...defaultSettings(NOW), personalization: false });
    const result = await ingestInSlices(deps, 'quitter', Array.from({ length: 4 }, (_, i) => view(`q${i}`, 100)), 'api', NOW, 100);
    expect(result).toEqual({ stored: false, reason: 'opted-out' });
    expect((await deps.store.read('quitter', NOW)).record.profile).toBeNull();
  });
});
