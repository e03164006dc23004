import type { PersonalizationConfig } from '../config/schema.js';
import { coPurchaseAnchors, type CoPurchases } from '../personalization/personalize.js';
import type { ShopperRecord } from '../personalization/types.js';
import type { CoPurchaseStore } from '../store/co-purchase-store.js';

// The search route's read of store-wide co-purchase counts: started as soon as the shopper's
// record is known (while the backend is still answering). Which anchors to read is
// personalization's decision (coPurchaseAnchors); this is only the I/O. Its answer is optional:
// a failure or a late answer means "own baskets only", never a pass-through.

/** The counts for the shopper's anchors, or null when there is nothing to read. Never rejects. */
export function readCoPurchases(store: CoPurchaseStore, config: PersonalizationConfig, record: ShopperRecord, now: number): Promise<CoPurchases | undefined> | null {
  const anchors = coPurchaseAnchors(config, record, now);
  if (anchors.length === 0) return null;
  return store.countsFor(anchors, now).catch(() => undefined);
}

/** The share of the route budget a search waits for counts that have not arrived yet. */
export const CO_PURCHASE_WAIT_SHARE = 0.25;
