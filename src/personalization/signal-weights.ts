import { DEFAULT_SIGNAL_WEIGHTS, type EventType, type PersonalizationConfig } from '../config/schema.js';

/** How much one event of each type says about a shopper's taste: the config's (schema-filled) weights. */
export function signalWeights(config: PersonalizationConfig | undefined): Readonly<Record<EventType, number>> {
  return config?.signalWeights ?? DEFAULT_SIGNAL_WEIGHTS;
}
