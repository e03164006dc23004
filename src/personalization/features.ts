import { FEATURE_NAMES, type FeatureName, type PersonalizationConfig } from '../config/schema.js';
import type { ShopperRecord } from './types.js';

// Which features are on for one shopper: the shopper's own switch, else the store's default from
// config, else the built-in default. Signals that did not help in the offline evaluation are off.

export const DEFAULT_FEATURES: Record<FeatureName, boolean> = {
  smart_ranking: true,
  usual: true,
  reorder: true,
  dietary: true,
  complementary: false,
  price_sensitivity: false,
  quantity_memory: true,
  household: false,
  seasonal: false,
};

export function enabledFeatures(config: PersonalizationConfig, record: ShopperRecord): FeatureName[] {
  const raw = record.settings?.features;
  const own: Partial<Record<FeatureName, unknown>> = raw && typeof raw === 'object' ? raw : {};
  const store = config.features ?? {};
  return FEATURE_NAMES.filter((f) => {
    const mine = own[f];
    if (typeof mine === 'boolean') return mine;
    return store[f] ?? DEFAULT_FEATURES[f];
  });
}
