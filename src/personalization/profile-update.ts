import type { PersonalizationConfig } from '../config/schema.js';
import { addSignal } from './decay.js';
import { dietaryFit, dietaryRule, knownPreferences, normalizeTag } from './dietary-vocabulary.js';
import { entryFor, setEntry } from './keyed-record.js';
import { boundProfile } from './profile-bounds.js';
import { repairProfile } from './profile-guard.js';
import { addPurchaseOrder, addPurchaseQuantity, addPurchaseTime } from './purchase-stats.js';
import { addSeasonPurchase } from './seasons.js';
import { updateSession } from './session-update.js';
import { signalWeights } from './signal-weights.js';
import type { EventItem, SessionContext, ShopperEvent, ShopperProfile } from './types.js';

/** What the store hands to the updater and gets back: the pure core of every profile write. */
export interface ProfileState {
  profile: ShopperProfile | null;
  session: SessionContext | null;
}

/** The signature every store uses to apply events; built from config in the composition root. */
export type ProfileUpdater = (state: ProfileState, events: ShopperEvent[], now: number) => ProfileState;

// Used when no config is passed (tests, tools); equal to the schema's defaults.
const FALLBACK = { halfLifeDays: 30, maxProducts: 60, maxAffinities: 30, maxGapDays: 90, extraTags: [] as string[] };

/**
 * Same product on two lines of one event (a basket with two lines of milk holds both) counts as
 * one line with the summed quantity: one signal, one purchase, one basket item. Fields a line
 * leaves out are taken from the product's other lines.
 */
export function mergeItems(items: readonly EventItem[]): EventItem[] {
  if (items.length < 2) return items as EventItem[];
  const byId = new Map<string, EventItem>();
  for (const item of items) {
    if (typeof item?.id !== 'string') continue; // the updater skips such lines anyway
    const seen = byId.get(item.id);
    if (!seen) {
      byId.set(item.id, item);
      continue;
    }
    const merged: EventItem = { ...item, ...seen, quantity: lineQuantity(seen) + lineQuantity(item) };
    byId.set(item.id, merged);
  }
  return [...byId.values()];
}

/** A line's quantity as a purchase counts it (see addPurchaseQuantity): a missing or bad one is 1. */
const lineQuantity = (item: EventItem): number => (Number.isFinite(item.quantity) && item.quantity > 0 ? item.quantity : 1);

/**
 * Apply events to a profile (pure: returns a new state, the input is not touched). Events must
 * already be de-duplicated by id; their order does not matter (decay and gaps are order-safe).
 */
export interface ApplyOptions {
  /**
   * Keep each product's last order and order-decayed frequency (the next-basket model's inputs).
   * Default: with a model configured, or with no config (tools); training asks for them.
   */
  purchaseOrders?: boolean;
}

export function applyEvents(state: ProfileState, events: ShopperEvent[], now: number, config?: PersonalizationConfig, options: ApplyOptions = {}): ProfileState {
  const halfLife = config?.halfLifeDays ?? FALLBACK.halfLifeDays;
  const maxGapDays = config?.reorder.maxGapDays ?? FALLBACK.maxGapDays;
  const extraTags = config?.dietary.extraTags ?? FALLBACK.extraTags;
  const weights = signalWeights(config);
  // Season counts cost bytes per product: kept only when the store turns the feature on.
  const keepSeasons = config?.features.seasonal === true;
  // The model's order columns cost one to two bytes a product (past 1 KB for a typical shopper):
  // kept only where a model will read them.
  const keepOrders = options.purchaseOrders ?? (config === undefined || config.model !== undefined);
  const preferences = knownPreferences(extraTags).map((name) => ({ name, rule: dietaryRule(name, extraTags)! }));

  const hadProfile = state.profile !== null && state.profile !== undefined;
  const profile = repairProfile(state.profile, now);
  if (!hadProfile || profile.signals === 0) profile.firstAt = Number.POSITIVE_INFINITY;

  for (const event of events) {
    if (!event || !Array.isArray(event.items) || !Number.isFinite(event.at)) continue;
    const weight = weights[event.type] ?? 0;
    const items = mergeItems(event.items);
    const at = event.at;
    const affinity = () => ({ w: 0, t: at });
    const purchase = event.type === 'purchase';
    if (purchase) {
      profile.orders += 1;
      profile.basketN += 1;
      profile.basketMean += (items.length - profile.basketMean) / profile.basketN;
    }
    if (items.length > 0) profile.firstAt = Math.min(profile.firstAt, event.at);
    for (const item of items) {
      if (typeof item?.id !== 'string') continue;
      profile.signals += 1;
      const stat = entryFor(profile.products, item.id, () => ({ n: 0, q: 0, w: 0, t: at, last: 0, gn: 0, gm: 0, gv: 0, qn: 0 }));
      addSignal(stat, weight, event.at, halfLife);
      if (item.brand) stat.brand = item.brand;
      if (item.category) stat.category = item.category;
      if (item.price !== undefined && Number.isFinite(item.price)) stat.p = item.price;
      const tags = (item.tags ?? []).map(normalizeTag);
      if (item.brand) addSignal(entryFor(profile.brands, item.brand, affinity), weight, at, halfLife);
      if (item.category) addSignal(entryFor(profile.categories, item.category, affinity), weight, at, halfLife);
      for (const tag of tags) addSignal(entryFor(profile.tags, tag, affinity), weight, at, halfLife);
      if (!purchase) continue;
      stat.n += 1;
      addPurchaseQuantity(stat, item.quantity);
      if (keepOrders) addPurchaseOrder(stat, profile.orders, stat.last > 0 && event.at < stat.last);
      addPurchaseTime(stat, event.at, maxGapDays);
      if (keepSeasons) addSeasonPurchase(stat, event.at);
      profile.dietaryBase += 1;
      for (const { name, rule } of preferences) {
        if (dietaryFit(rule, tags) === 1) setEntry(profile.dietaryCounts, name, (profile.dietaryCounts[name] ?? 0) + 1);
      }
    }
  }
  if (!Number.isFinite(profile.firstAt)) profile.firstAt = now;
  profile.updatedAt = Math.max(profile.updatedAt, now);
  boundProfile(profile, now, halfLife, config?.maxProducts ?? FALLBACK.maxProducts, config?.maxAffinities ?? FALLBACK.maxAffinities);
  return { profile, session: updateSession(state.session, events, now) };
}

export function createProfileUpdater(config: PersonalizationConfig): ProfileUpdater {
  return (state, events, now) => applyEvents(state, events, now, config);
}
