import type { PersonalizationConfig } from '../config/schema.js';
import { complementAnchors, complementScores, type ComplementaryCandidate } from './complementary.js';
import { confidence } from './confidence.js';
import { decayedWeight } from './decay.js';
import { inferPreferences, type ActivePreference } from './dietary.js';
import { modelLists } from './next-basket-lists.js';
import { nextBasketModelFor } from './next-basket-registry.js';
import { estimateHousehold, type HouseholdEstimate } from './household.js';
import { tagShares } from './tag-lift.js';
import { reorderItems, type ReorderCandidate } from './reorder.js';
import type { ShopperProfile } from './types.js';
import { usualItems, type UsualCandidate } from './usual.js';

// What a search needs from a profile that does not depend on the page: decayed affinities,
// tag shares, the usual and reorder lists, household, confidence, inferred preferences, staples.
// Computing them walks the whole profile a dozen times with a Math.pow per entry — most of a
// personalized search's CPU when done per search (bench/RESULTS.md, "personalize() speed").
// A view is computed once per (profile object, config, minute) and kept beside the profile in a
// WeakMap: a hot shopper's searches share it. Profiles are read-only outside the pure updater
// (an update builds a new object), so a view never describes an older profile; the WeakMap lets
// it go with its profile.
//
// Time counts to the minute (`viewTime`): a minute moves a 30-day half-life's weights by
// 0.0016% and a reorder's days-until-due by 0.0007 days, and it makes a view a pure function of
// (profile, config, minute).

export const VIEW_RESOLUTION_MS = 60_000;

/** The minute `now` falls in: the time every profile-derived figure is computed at. */
export const viewTime = (now: number): number => now - (((now % VIEW_RESOLUTION_MS) + VIEW_RESOLUTION_MS) % VIEW_RESOLUTION_MS);

/** Half-saturation points: weight at which an affinity component reaches 0.5 (see rank-context). */
const K_PRODUCT = 1;
const K_BRAND = 2;
const K_CATEGORY = 3;

const squash = (x: number, k: number): number => (x > 0 ? x / (x + k) : x < 0 ? -(-x / (-x + k)) : 0);

export interface ProfileView {
  profile: ShopperProfile;
  config: PersonalizationConfig;
  /** The minute the view was computed at (epoch ms). */
  at: number;
  /** Product id → squashed decayed affinity (0..1); with a model, a bought product's next-order probability. */
  product: Map<string, number>;
  brand: Map<string, number>;
  category: Map<string, number>;
  /** Tag → the share of the shopper's decayed signal mass carrying it (0..1); empty when the mass is 0. */
  tagShare: Map<string, number>;
  usual: UsualCandidate[];
  household: HouseholdEstimate | null;
  confidence: number;
  inferred: ActivePreference[];
  /** Complementary anchors when the cart is empty: the shopper's staples, and their own-basket partners. */
  staples: string[];
  stapleComplements: Map<string, ComplementaryCandidate>;
  /** Reorder lists by (household rhythm used, seasonal), computed on first use. */
  reorder: Map<string, ReorderCandidate[]>;
  /** With a next-basket model loaded (personalization.model): its reorder list, and each bought product's probability of being in the next order. */
  model: { reorder: ReorderCandidate[]; scores: Map<string, number> } | null;
}

const views = new WeakMap<ShopperProfile, ProfileView>();

/** The view of a (sound) profile at `now`'s minute, from the cache when it is there. */
export function profileView(profile: ShopperProfile, config: PersonalizationConfig, now: number): ProfileView {
  const at = viewTime(now);
  const cached = views.get(profile);
  if (cached && cached.at === at && cached.config === config) return cached;
  const view = buildView(profile, config, at);
  views.set(profile, view);
  return view;
}

function squashedMap(entries: Record<string, { w: number; t: number } | undefined>, k: number, at: number, halfLifeDays: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const key in entries) {
    const value = squash(decayedWeight(entries[key], at, halfLifeDays), k);
    if (value !== 0) out.set(key, value);
  }
  return out;
}

/**
 * The product term with a model loaded: a bought product's probability of being in the next
 * order, on the affinity's scale (its square root: p = 0.25 weighs like one recent purchase),
 * where that is above its decayed affinity. A search is not only for the next basket, so
 * what the shopper likes but is not due to buy keeps its weight.
 */
function withModelScores(affinity: Map<string, number>, scores: ReadonlyMap<string, number>): Map<string, number> {
  for (const [id, p] of scores) affinity.set(id, Math.max(affinity.get(id) ?? 0, Math.sqrt(p)));
  return affinity;
}

function buildView(profile: ShopperProfile, config: PersonalizationConfig, at: number): ProfileView {
  const halfLife = config.halfLifeDays;
  const staples = complementAnchors(profile, null, at, halfLife);
  const model = nextBasketModelFor(config);
  const lists = model ? modelLists(profile, model, at, config) : null;
  return {
    profile,
    config,
    at,
    product: lists ? withModelScores(squashedMap(profile.products, K_PRODUCT, at, halfLife), lists.scores) : squashedMap(profile.products, K_PRODUCT, at, halfLife),
    brand: squashedMap(profile.brands, K_BRAND, at, halfLife),
    category: squashedMap(profile.categories, K_CATEGORY, at, halfLife),
    tagShare: tagShares(profile, at, halfLife),
    usual: lists ? lists.usual : usualItems(profile, config.usual),
    household: estimateHousehold(profile),
    confidence: confidence(profile, at, halfLife),
    inferred: inferPreferences(profile, config.dietary),
    staples,
    stapleComplements: complementScores(staples, profile, undefined),
    reorder: new Map(),
    model: lists ? { reorder: lists.reorder, scores: lists.scores } : null,
  };
}

/** The reorder list with or without the household's rhythm and the seasonal rule. */
export function viewReorder(view: ProfileView, household: boolean, seasonal: boolean): ReorderCandidate[] {
  if (view.model) return view.model.reorder;
  const key = `${household ? 'h' : '-'}${seasonal ? 's' : '-'}`;
  let list = view.reorder.get(key);
  if (!list) {
    const householdCycleDays = household ? view.household?.stapleCycleDays : undefined;
    list = reorderItems(view.profile, view.at, view.config.reorder, { householdCycleDays, seasonal });
    view.reorder.set(key, list);
  }
  return list;
}
