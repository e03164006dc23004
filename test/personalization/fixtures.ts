import type { HitView } from '../../src/adapters/adapter.js';
import { configSchema, type PersonalizationConfig } from '../../src/config/schema.js';
import { applyEvents } from '../../src/personalization/profile-update.js';
import type { EventItem, ShopperEvent, ShopperProfile, ShopperRecord } from '../../src/personalization/types.js';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 0, 1);
export const day = (n: number): number => T0 + n * DAY;

export function config(overrides: Record<string, unknown> = {}): PersonalizationConfig {
  return configSchema.parse({ personalization: overrides }).personalization;
}

let seq = 0;
export function purchase(at: number, ...items: (string | EventItem)[]): ShopperEvent {
  return { id: `e${++seq}`, type: 'purchase', at, items: items.map((i) => (typeof i === 'string' ? { id: i, quantity: 1 } : i)) };
}

export function event(type: ShopperEvent['type'], at: number, ...ids: string[]): ShopperEvent {
  return { id: `e${++seq}`, type, at, items: ids.map((id) => ({ id, quantity: 1 })) };
}

export function hit(id: string, extra: Partial<HitView> = {}): HitView {
  return { index: 0, id, tags: [], ...extra };
}

/** Hits in backend order with their index set. */
export function hits(...list: HitView[]): HitView[] {
  return list.map((h, i) => ({ ...h, index: i }));
}

export function profileFrom(events: ShopperEvent[], now: number, cfg = config()): ShopperProfile {
  return applyEvents({ profile: null, session: null }, events, now, cfg).profile!;
}

export function record(profile: ShopperProfile | null, settings: Partial<ShopperRecord['settings']> | null = null): ShopperRecord {
  return {
    profile,
    settings: settings ? { personalization: true, features: {}, dietary: [], updatedAt: 0, ...settings } : null,
    session: null,
  };
}
