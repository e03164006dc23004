import { FEATURE_NAMES, type FeatureName, type PersonalizationConfig } from '../config/schema.js';
import type { ShopperRecord } from './types.js';

// Which features are on for one shopper: the shopper's own switch, else the store's setting
// (`personalization.features`, which the schema fills with the built-in defaults and says why
// each is on or off).

export { DEFAULT_FEATURES } from '../config/schema.js';

export function enabledFeatures(config: PersonalizationConfig, record: ShopperRecord): FeatureName[] {
  const raw = record.settings?.features;
  const own: Partial<Record<FeatureName, unknown>> = raw && typeof raw === 'object' ? raw : {};
  // Most shoppers have no switch of their own: the store's list, worked out once per config.
  if (Object.keys(own).length === 0) {
    let list = storeDefaults.get(config);
    if (!list) storeDefaults.set(config, (list = Object.freeze(featureList(config, {})) as FeatureName[]));
    return list;
  }
  return featureList(config, own);
}

const storeDefaults = new WeakMap<PersonalizationConfig, FeatureName[]>();

function featureList(config: PersonalizationConfig, own: Partial<Record<FeatureName, unknown>>): FeatureName[] {
  const store = config.features;
  return FEATURE_NAMES.filter((f) => {
    const mine = own[f];
    if (typeof mine === 'boolean') return mine;
    return store[f];
  });
}
