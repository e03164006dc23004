import { describe, expect, it } from 'vitest';
import { LiveConfig } from '../../src/config/live-config.js';
import { configSchema } from '../../src/config/schema.js';
import { createCoPurchaseFeed } from '../../src/events/co-purchase-feed.js';
import type { ShopperEvent, ShopperRecord } from '../../src/personalization/types.js';
import { MemoryCoPurchaseStore } from '../../src/store/memory-co-purchase-store.js';
import type { ProfileStore } from '../../src/store/profile-store.js';

const NOW = Date.UTC(2026, 10, 1);
const buy = (id: string, type: ShopperEvent['type'] = 'purchase'): ShopperEvent => ({ id, type, at: NOW, items: [{ id: 'pasta', quantity: 1 }, { id: 'sauce', quantity: 1 }] });

/** Only `read` is used by the feed: settings per shopper. */
function settingsStore(features: Record<string, Record<string, boolean>>): ProfileStore {
  const read = (id: string) => {
    const record: ShopperRecord = { profile: null, settings: features[id] ? { personalization: true, features: features[id]!, dietary: [], updatedAt: 0 } : null, session: null };
    return Promise.resolve({ record, source: 'memory' as const });
  };
  return { read } as unknown as ProfileStore;
}

async function fed(storeWide: boolean, shopperFeatures: Record<string, Record<string, boolean>>, events: ShopperEvent[]) {
  const live = new LiveConfig(configSchema.parse({ personalization: { complementaryStoreWide: storeWide, coPurchases: { minBaskets: 1 } } }), 'test.yaml');
  const coPurchases = new MemoryCoPurchaseStore(() => live.current().personalization.coPurchases);
  const feed = createCoPurchaseFeed({ live, store: settingsStore(shopperFeatures), coPurchases });
  for (const who of ['ann', 'bob']) feed(who, events, 'api', NOW);
  await new Promise((r) => setImmediate(r)); // the feed runs after the events answer: let its promise chain settle
  return coPurchases.countsFor(['pasta'], NOW);
}

describe('co-purchase feed', () => {
  it('counts purchases of shoppers with complementary on when the store enables store-wide counts', async () => {
    expect(await fed(true, {}, [buy('o1')])).toEqual({ pasta: { pasta: 2, sauce: 2 } });
  });

  it('a shopper who switched complementary off does not feed the counts', async () => {
    expect(await fed(true, { bob: { complementary: false } }, [buy('o1')])).toEqual({ pasta: { pasta: 1, sauce: 1 } });
  });

  it('store switch off, or no purchase in the batch: nothing is counted', async () => {
    expect(await fed(false, {}, [buy('o1')])).toEqual({});
    expect(await fed(true, {}, [buy('c1', 'add_to_cart'), buy('v1', 'view')])).toEqual({});
  });
});
