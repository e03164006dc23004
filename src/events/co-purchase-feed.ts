import type { LiveConfig } from '../config/live-config.js';
import { enabledFeatures } from '../personalization/features.js';
import type { CoPurchaseStore } from '../store/co-purchase-store.js';
import type { ProfileStore } from '../store/profile-store.js';
import type { EventsAcceptedHook } from './ingest-events.js';

/**
 * Accepted purchases → store-wide co-purchase counts, when the store enables them
 * (`personalization.complementaryStoreWide`) and only for shoppers who have the complementary
 * feature on: a shopper who switched it off neither sees suggestions nor feeds them. Never throws,
 * never delays the events answer (the settings read and the counting run after it).
 */
export function createCoPurchaseFeed(deps: { live: LiveConfig; store: ProfileStore; coPurchases: CoPurchaseStore }): EventsAcceptedHook {
  return (shopperId, events, _source, now) => {
    const config = deps.live.current().personalization;
    if (!config.complementaryStoreWide || !events.some((e) => e.type === 'purchase')) return;
    void deps.store
      .read(shopperId, now)
      .then(({ record }) => {
        if (!enabledFeatures(config, record).includes('complementary')) return;
        for (const event of events) if (event.type === 'purchase') void deps.coPurchases.recordPurchase(shopperId, event, now);
      })
      .catch(() => undefined);
  };
}
