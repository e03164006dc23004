import type { PersonalizationConfig } from '../config/schema.js';
import { emptyProfile, type SessionContext, type ShopperEvent, type ShopperProfile } from './types.js';

/** What the store hands to the updater and gets back: the pure core of every profile write. */
export interface ProfileState {
  profile: ShopperProfile | null;
  session: SessionContext | null;
}

/** The signature every store uses to apply events; built from config in the composition root. */
export type ProfileUpdater = (state: ProfileState, events: ShopperEvent[], now: number) => ProfileState;

/**
 * Apply events to a profile (pure). Events must already be de-duplicated by id.
 * TODO(engine): decay, gaps, usual quantity, dietary counts, bounds — this first version counts
 * purchases per product and brand, enough for the core's reranking.
 */
export function applyEvents(
  state: ProfileState,
  events: ShopperEvent[],
  now: number,
  _config?: PersonalizationConfig,
): ProfileState {
  const profile: ShopperProfile = structuredClone(state.profile ?? emptyProfile(now));
  for (const event of events) {
    if (event.type !== 'purchase') continue;
    profile.orders += 1;
    for (const item of event.items) {
      const stat = (profile.products[item.id] ??= { n: 0, q: item.quantity, w: 0, t: event.at, last: 0, gn: 0, gm: 0, gv: 0, qn: 0 });
      stat.n += 1;
      stat.w += 1;
      stat.last = event.at;
      if (item.brand) stat.brand = item.brand;
      if (item.category) stat.category = item.category;
      if (item.brand) {
        const brand = (profile.brands[item.brand] ??= { w: 0, t: event.at });
        brand.w += 1;
      }
      profile.signals += 1;
    }
  }
  profile.updatedAt = now;
  return { profile, session: state.session };
}

export function createProfileUpdater(config: PersonalizationConfig): ProfileUpdater {
  return (state, events, now) => applyEvents(state, events, now, config);
}
