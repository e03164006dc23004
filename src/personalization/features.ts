import { FEATURE_NAMES, type FeatureName, type PersonalizationConfig } from '../config/schema.js';
import type { ShopperRecord } from './types.js';

// Which features are on for one shopper: the shopper's own switch, else the store's default from
// config, else the built-in default. Issue 9's signals are on only where the offline evaluation
// showed a gain (household: +0.005 F1; complementary from the shopper's own baskets: +0.015 F1,
// −0.05 mean position) or where they only add facts to the section (quantity_memory). Store-wide
// pair counts lowered F1 (−0.039), so their store switch `complementaryStoreWide` stays off; price
// and seasons could not be measured (no prices or dates in the grocery history). See
// bench/RESULTS.md.

export const DEFAULT_FEATURES: Record<FeatureName, boolean> = {
  smart_ranking: true,
  usual: true,
  reorder: true,
  dietary: true,
  complementary: true,
  price_sensitivity: false,
  quantity_memory: true,
  household: true,
  seasonal: false,
};

export function enabledFeatures(config: PersonalizationConfig, record: ShopperRecord): FeatureName[] {
  const raw = record.settings?.features;
  const own: Partial<Record<FeatureName, unknown>> = raw && typeof raw === 'object' ? raw : {};
  // Most shoppers have no switch of their own: the store's list, worked out once per config.
  let hasOwn = false;
  for (const _ in own) {
    hasOwn = true;
    break;
  }
  if (!hasOwn) {
    let list = storeDefaults.get(config);
    if (!list) storeDefaults.set(config, (list = Object.freeze(featureList(config, {})) as FeatureName[]));
    return list;
  }
  return featureList(config, own);
}

const storeDefaults = new WeakMap<PersonalizationConfig, FeatureName[]>();

function featureList(config: PersonalizationConfig, own: Partial<Record<FeatureName, unknown>>): FeatureName[] {
  const store = config.features ?? {};
  return FEATURE_NAMES.filter((f) => {
    const mine = own[f];
    if (typeof mine === 'boolean') return mine;
    return store[f] ?? DEFAULT_FEATURES[f];
  });
}
