import type { ProfileUpdater } from '../../src/personalization/profile-update.js';
import { emptyProfile, type ShopperProfile } from '../../src/personalization/types.js';

/**
 * A deliberately simple updater for store tests (the store must not depend on the engine's
 * logic): each purchase adds 1 to `n` of every item, and views go into the session context.
 */
export const countingUpdater: ProfileUpdater = (state, events, now) => {
  let profile: ShopperProfile | null = state.profile ? structuredClone(state.profile) : null;
  let session = state.session ? structuredClone(state.session) : null;
  for (const event of events) {
    if (event.type === 'purchase') {
      profile ??= emptyProfile(now);
      profile.orders += 1;
      for (const item of event.items) {
        const stat = (profile.products[item.id] ??= { n: 0, q: item.quantity, w: 0, t: event.at, last: 0, gn: 0, gm: 0, gv: 0, qn: 0 });
        stat.n += 1;
        stat.qn += 1;
        stat.w += 1;
        stat.last = event.at;
        if (item.brand) stat.brand = item.brand;
      }
      profile.updatedAt = now;
    } else if (event.type === 'view') {
      session ??= { recent: [], queries: [], updatedAt: now };
      for (const item of event.items) session.recent.push({ id: item.id, type: 'view', at: event.at });
      session.updatedAt = now;
    }
  }
  return { profile, session };
};
