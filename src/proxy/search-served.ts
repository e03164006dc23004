import type { RouteConfig } from '../config/schema.js';
import type { ShopperIdentity } from '../identity/shopper-identity.js';
import type { PersonalizeResult } from '../personalization/personalize.js';
import type { PassthroughReason } from './passthrough-reason.js';

// What the search route tells experiments, kept apart from the hot path's file so experiments/
// can read these types without importing the handler.

/** An experiment's say on one search: which variant, and whether it personalizes. */
export interface VariantAssignment {
  experiment: string;
  variant: string;
  personalize: boolean;
  strength?: number;
}

/** What happened on one search response, for attribution and shadow measurements. */
export interface SearchServed {
  route: RouteConfig;
  shopper: ShopperIdentity | null;
  outcome: 'personalized' | 'passthrough';
  reason?: PassthroughReason;
  assignment: VariantAssignment | null;
  /** Set when personalization ran (also in shadow mode and when the budget cut it off). */
  result?: PersonalizeResult;
  hitIds?: string[];
  now: number;
}
