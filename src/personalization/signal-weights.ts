import type { EventType, PersonalizationConfig } from '../config/schema.js';

/** How much one event of each type says about a shopper's taste (seed values; config overrides). */
export const DEFAULT_SIGNAL_WEIGHTS: Readonly<Record<EventType, number>> = {
  purchase: 1.0,
  add_to_cart: 0.5,
  view: 0.3,
  click: 0.2,
  search: 0.1,
  remove_from_cart: -0.4,
};

export function signalWeights(config: PersonalizationConfig | undefined): Record<EventType, number> {
  return { ...DEFAULT_SIGNAL_WEIGHTS, ...(config?.signalWeights ?? {}) };
}
