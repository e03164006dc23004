import type { PersonalizationConfig } from '../config/schema.js';
import { complementAnchors, type CoPurchases } from '../personalization/complementary.js';
import { enabledFeatures } from '../personalization/features.js';
import { usableProfile } from '../personalization/profile-guard.js';
import { profileView } from '../personalization/profile-view.js';
import type { ShopperRecord } from '../personalization/types.js';
import type { CoPurchaseStore } from '../store/co-purchase-store.js';

// The search route's read of store-wide co-purchase counts: started as soon as the shopper's
// record is known (while the backend is still answering), only for a shopper with the
// complementary feature on and only when the store enabled store-wide counts. Its answer is
// optional: a failure or a late answer means "own baskets only", never a pass-through.

/** Counts for the shopper's anchors (cart, else staples), or null when there is nothing to read. */
export function readCoPurchases(store: CoPurchaseStore, config: PersonalizationConfig, record: ShopperRecord, now: number): Promise<CoPurchases | undefined> | null {
  if (!config.complementaryStoreWide || record.settings?.personalization === false) return null;
  if (!enabledFeatures(config, record).includes('complementary')) return null;
  // The staples come from the profile view, which personalize() then reuses for this search.
  const profile = usableProfile(record.profile, now);
  const anchors = complementAnchors(profile, record.session, now, config.halfLifeDays, profile ? profileView(profile, config, now).staples : undefined);
  if (anchors.length === 0) return null;
  return store.countsFor(anchors, now).catch(() => undefined);
}

/** The share of the route budget a search waits for counts that have not arrived yet. */
export const CO_PURCHASE_WAIT_SHARE = 0.25;

/** The counts if they arrive within `waitMs`, else undefined (the search goes on without them). */
export function coPurchasesWithin(read: Promise<CoPurchases | undefined>, waitMs: number): Promise<CoPurchases | undefined> {
  if (waitMs <= 0) return Promise.race([read, Promise.resolve(undefined)]);
  let timer: NodeJS.Timeout;
  return Promise.race([read, new Promise<undefined>((resolve) => (timer = setTimeout(resolve, waitMs, undefined)))]).finally(() => clearTimeout(timer));
}
