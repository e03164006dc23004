import type { SessionContext, ShopperEvent } from './types.js';

// Session context: what the shopper looked at in the last minutes, for in-session boosts.
// Bounded; the store gives it a TTL. Search queries stay here only, never in the profile.

export const MAX_SESSION_RECENT = 20;
export const MAX_SESSION_QUERIES = 5;

export function updateSession(session: SessionContext | null, events: readonly ShopperEvent[], now: number): SessionContext {
  if (!events.some((e) => e && e.type !== 'purchase')) return session ?? { recent: [], queries: [], updatedAt: now };
  const recent = Array.isArray(session?.recent) ? session.recent.filter((r) => typeof r?.id === 'string' && Number.isFinite(r.at)) : [];
  const queries = Array.isArray(session?.queries) ? session.queries.filter((q) => typeof q === 'string') : [];
  for (const event of events) {
    if (event.type === 'purchase') continue;
    for (const item of event.items) recent.push({ id: item.id, type: event.type, at: event.at });
    if (event.type === 'search' && event.query) {
      const q = event.query.trim().slice(0, 100);
      if (q) queries.push(q);
    }
  }
  // Newest first; a stable sort keeps arrival order among equal times.
  recent.sort((a, b) => b.at - a.at);
  return {
    recent: recent.slice(0, MAX_SESSION_RECENT),
    queries: queries.slice(-MAX_SESSION_QUERIES),
    updatedAt: now,
  };
}
