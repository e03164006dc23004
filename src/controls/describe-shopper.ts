import type { FeatureName, SidecartConfig } from '../config/schema.js';
import { enabledFeatures } from '../personalization/features.js';
import { estimateHousehold, type HouseholdEstimate } from '../personalization/household.js';
import { ownEntry } from '../personalization/keyed-record.js';
import { usableProfile } from '../personalization/profile-guard.js';
import { defaultSettings, type Affinity, type ShopperRecord } from '../personalization/types.js';
import { ANONYMOUS_PREFIX } from '../identity/shopper-identity.js';
import { isRedisConfigured } from '../store/create-profile-store.js';

// What `GET /sidecart/v1/me` shows: the shopper's settings, which features are on, and
// everything stored about them in plain terms — what, since when, why it is used. Pure.

export const FEATURE_DESCRIPTIONS: Record<FeatureName, string> = {
  smart_ranking: 'Puts products you buy or look at often higher in search results.',
  usual: 'Shows "your usual": products you buy regularly, with the quantity you usually take.',
  reorder: 'Reminds you of products you are likely to run out of soon ("time to reorder").',
  dietary: 'Ranks products that fit your dietary or cultural preferences higher.',
  complementary: 'Suggests products that go with what you usually buy.',
  price_sensitivity: 'Takes the price range you usually buy in into account.',
  quantity_memory: 'Remembers how many of a product you usually take.',
  household: 'Estimates your household size from your basket sizes.',
  seasonal: 'Takes the time of year into account.',
};

/** Said with `complementary` when the store keeps co-purchase counts across shoppers. */
export const STORE_WIDE_NOTE =
  'While it is on, your purchases also add to anonymous counts of products bought together across all shoppers (no id, no basket, no time is kept with them).';

export const HOUSEHOLD_HOW =
  'Estimated from your basket sizes and how fast your regular products come back (after 3 orders). It times reorder reminders for products with too little history of their own; the quantities you usually take are yours and are not scaled.';

export const NOT_STORED =
  'sidecart keeps product preferences and purchase patterns only: no name, address, e-mail, payment details or IP address.';

export interface StoredItem {
  what: string;
  since: string | null;
  why: string;
  details: unknown;
}

export interface ShopperDescription {
  shopper: { id: string; kind: 'signed-in' | 'anonymous' };
  personalization: boolean;
  settings: ShopperRecord['settings'];
  features: { name: FeatureName; on: boolean; setBy: 'you' | 'store'; what: string }[];
  stored: StoredItem[];
  /** The household size sidecart infers (household feature), with its confidence; estimate null = too little data. */
  household: { on: boolean; estimate: HouseholdEstimate | null; how: string };
  notStored: string;
  retention: string;
}

/** A stored time as ISO-8601; null for none or one no date can hold (old data kept a year-285,000 time). */
const iso = (ms: number | undefined) => {
  if (typeof ms !== 'number' || !(ms > 0)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

function strongest(map: Record<string, Affinity>, limit: number): string[] {
  return Object.entries(map)
    .sort((a, b) => b[1].w - a[1].w)
    .slice(0, limit)
    .map(([name]) => name);
}

export function describeShopper(shopperId: string, record: ShopperRecord, config: SidecartConfig, now: number): ShopperDescription {
  const settings = record.settings;
  const on = enabledFeatures(config.personalization, record);
  const features = (Object.keys(FEATURE_DESCRIPTIONS) as FeatureName[]).map((name) => ({
    name,
    on: on.includes(name),
    setBy: typeof ownEntry(settings?.features, name) === 'boolean' ? ('you' as const) : ('store' as const),
    what: name === 'complementary' && config.personalization.complementaryStoreWide ? `${FEATURE_DESCRIPTIONS[name]} ${STORE_WIDE_NOTE}` : FEATURE_DESCRIPTIONS[name],
  }));
  const stored: StoredItem[] = [];
  if (settings) {
    stored.push({ what: 'Your settings', since: iso(settings.updatedAt), why: 'So sidecart does what you chose.', details: settings });
  }
  const profile = record.profile;
  if (profile) {
    const since = iso(profile.firstAt);
    const products = Object.entries(profile.products)
      .sort((a, b) => b[1].w - a[1].w)
      .map(([product, s]) => ({ product, timesBought: s.n, usualQuantity: s.q, lastBought: iso(s.last), lastSeen: iso(s.t) }));
    stored.push({
      what: 'Products you bought, added to your cart, clicked or viewed',
      since,
      why: 'To put products you buy often first, and to build "your usual" and "time to reorder".',
      details: products,
    });
    stored.push({ what: 'Brands you tend to choose', since, why: 'To rank brands you pick more often higher.', details: strongest(profile.brands, 100) });
    stored.push({ what: 'Product categories you shop in', since, why: 'To rank categories you shop in higher.', details: strongest(profile.categories, 100) });
    stored.push({ what: 'Product labels (e.g. organic, vegan) of what you buy', since, why: 'To rank products with labels you prefer higher.', details: strongest(profile.tags, 100) });
    stored.push({
      what: 'How many of your purchases carried each dietary label',
      since,
      why: 'To suggest a dietary preference only when nearly everything you buy carries it.',
      details: { purchasesCounted: profile.dietaryBase, byLabel: profile.dietaryCounts },
    });
    stored.push({
      what: 'Number of orders and signals, and your average basket size',
      since,
      why: 'To judge how sure a suggestion is (confidence) and, if on, your household size.',
      details: { orders: profile.orders, signals: profile.signals, averageBasketItems: Math.round(profile.basketMean * 10) / 10 },
    });
  }
  const session = record.session;
  if (session) {
    const first = session.recent.reduce((min, r) => Math.min(min, r.at), session.updatedAt);
    stored.push({
      what: 'What you viewed, clicked and searched in this visit',
      since: iso(first),
      why: `To boost what you looked at a moment ago; it expires by itself about ${Math.round(config.store.memory.sessionTtlMs / 60_000)} minutes after your last activity.`,
      details: { recent: session.recent.map((r) => ({ product: r.id, type: r.type, at: iso(r.at) })), searches: session.queries },
    });
  }
  return {
    shopper: { id: shopperId, kind: shopperId.startsWith(ANONYMOUS_PREFIX) ? 'anonymous' : 'signed-in' },
    personalization: settings ? settings.personalization !== false : true,
    settings: settings ?? defaultSettings(now),
    features,
    stored,
    household: {
      on: on.includes('household'),
      estimate: on.includes('household') ? estimateHousehold(usableProfile(profile, now)) : null,
      how: HOUSEHOLD_HOW,
    },
    notStored: NOT_STORED,
    retention: isRedisConfigured(config.store.redis)
      ? `Kept ${config.store.redis.retentionDays} days after your last activity, or until you delete it.`
      : 'Kept in this server\'s memory only, until you delete it or the server restarts.',
  };
}

/** `GET /sidecart/v1/me/export`: everything stored, in its stored form, plus the plain description. */
export function exportShopper(shopperId: string, record: ShopperRecord, config: SidecartConfig, now: number) {
  return {
    format: 'sidecart-export/1',
    exportedAt: iso(now),
    shopper: { id: shopperId, kind: shopperId.startsWith(ANONYMOUS_PREFIX) ? 'anonymous' : 'signed-in' },
    settings: record.settings,
    profile: record.profile,
    session: record.session,
    description: describeShopper(shopperId, record, config, now),
  };
}
