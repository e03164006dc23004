import type { HitView } from './hit-view.js';
import type { PersonalizationConfig } from '../config/schema.js';
import { compileSection } from './compile-section.js';
import { complementAnchors, complementaryItems, complementScores, type ComplementaryCandidate, type CoPurchases } from './complementary.js';
import { activePreferences } from './dietary.js';
import { explainOrder } from './explain.js';
import { enabledFeatures } from './features.js';
import { buildPriceLevels } from './price-fit.js';
import { usableProfile } from './profile-guard.js';
import { buildSession, type RankContext } from './rank-context.js';
import { movedUp, rankHits } from './rank.js';
import { profileView, viewReorder, type ProfileView } from './profile-view.js';
import { tagLiftOnPage } from './tag-lift.js';
import type { PersonalizationSection } from './section-types.js';
import { EMPTY_SHOPPER_RECORD, type ShopperRecord } from './types.js';

// The one entry point the search route calls: load → score → sort → compile sections. Pure, and
// it never throws: whatever goes wrong, the answer is the backend's order.

export { DEFAULT_FEATURES, enabledFeatures } from './features.js';
export type { ExplainEntry } from './explain.js';
export type { ComplementaryItem, PersonalizationSection, PreferenceNote, ReorderItem, UsualItem } from './section-types.js';
export type { CoPurchases } from './complementary.js';
export { estimateHousehold, type HouseholdEstimate } from './household.js';

/** Suggestions in the complementary list. */
const MAX_COMPLEMENTARY = 5;

export interface PersonalizeInput {
  hits: HitView[];
  record: ShopperRecord;
  /** The route's (or experiment variant's) strength; the shopper's own setting overrides it. */
  strength: number;
  config: PersonalizationConfig;
  now: number;
  explain: boolean;
  /** Store-wide co-purchase counts for the shopper's anchors, when the store keeps them. */
  coPurchases?: CoPurchases;
}

export interface PersonalizeResult {
  /** New order as indexes into `hits` (a permutation, or a subset only under a hard filter). */
  order: number[];
  /** Original indexes of hits that moved up because of the shopper. */
  moved: number[];
  section: PersonalizationSection;
}

function backendOrder(hits: readonly HitView[]): number[] {
  const order = new Array<number>(hits.length);
  for (let i = 0; i < hits.length; i++) order[i] = i;
  return order;
}

function untouched(hits: readonly HitView[], enabled: boolean): PersonalizeResult {
  return {
    order: backendOrder(hits),
    moved: [],
    section: { enabled, applied: [], features: [], confidence: 0, badges: [], usual: [], reorder: [] },
  };
}

function effectiveStrength(route: number, record: ShopperRecord): number {
  const own = record.settings?.strength;
  const s = typeof own === 'number' && Number.isFinite(own) ? own : route;
  return Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
}

/** What the shopper already sees or has: page hits, cart, usual and reorder lists. */
function shownElsewhere(hits: readonly HitView[], record: ShopperRecord, usual: readonly { id: string }[], reorder: readonly { id: string }[]): Set<string> {
  const ids = new Set<string>();
  for (const h of hits) ids.add(h.id);
  for (const r of Array.isArray(record.session?.recent) ? record.session.recent : []) if (r.type === 'add_to_cart') ids.add(r.id);
  for (const u of usual) ids.add(u.id);
  for (const r of reorder) ids.add(r.id);
  return ids;
}

/**
 * Partner → candidate for the complementary feature. With an empty cart and no store-wide counts
 * the anchors are the shopper's staples, and the view already holds their partners.
 */
function complementsFor(view: ProfileView | null, session: ShopperRecord['session'], coPurchases: CoPurchases | undefined, now: number, halfLifeDays: number): Map<string, ComplementaryCandidate> {
  const anchors = anchorsFor(view, session, now, halfLifeDays);
  if (view && !coPurchases && anchors === view.staples) return view.stapleComplements;
  return complementScores(anchors, view?.profile ?? null, coPurchases);
}

/** The complementary anchors: the cart, else the staples of the shopper's profile view. */
function anchorsFor(view: ProfileView | null, session: ShopperRecord['session'], now: number, halfLifeDays: number): string[] {
  return complementAnchors(view?.profile ?? null, session, now, halfLifeDays, view?.staples);
}

/** The shopper's profile view, or null without a usable profile (the view is memoized per profile). */
function viewOf(record: ShopperRecord, config: PersonalizationConfig, now: number): ProfileView | null {
  const profile = usableProfile(record.profile, now);
  return profile ? profileView(profile, config, now) : null;
}

/**
 * The anchors whose store-wide co-purchase counts this shopper's search will use: none when the
 * store keeps no counts, the shopper opted out or has the complementary feature off, or there is
 * nothing to anchor on. The search route reads the counts while the backend answers; the
 * profile view built here is the one personalize() then reuses.
 */
export function coPurchaseAnchors(config: PersonalizationConfig, record: ShopperRecord, now: number): string[] {
  if (!config.complementaryStoreWide || record.settings?.personalization === false) return [];
  if (!enabledFeatures(config, record).includes('complementary')) return [];
  return anchorsFor(viewOf(record, config, now), record.session, now, config.halfLifeDays);
}

function run(input: PersonalizeInput): PersonalizeResult {
  const { hits, config, now } = input;
  const record: ShopperRecord = input.record ?? EMPTY_SHOPPER_RECORD;
  if (record.settings?.personalization === false) return untouched(hits, false);
  const features = enabledFeatures(config, record);
  const on = (f: (typeof features)[number]) => features.includes(f);
  const view = viewOf(record, config, now);
  const profile = view?.profile ?? null;
  const complements = on('complementary') ? complementsFor(view, record.session, input.coPurchases, now, config.halfLifeDays) : new Map<string, never>();
  const preferences = on('dietary') ? activePreferences(profile, record.settings, config.dietary, view?.inferred) : [];
  const smart = on('smart_ranking');
  const ctx: RankContext = {
    profile,
    view,
    now,
    halfLifeDays: config.halfLifeDays,
    weights: config.weights,
    preferences,
    complements,
    priceLevels: on('price_sensitivity') && smart ? buildPriceLevels(hits, profile) : new Map(),
    tagLift: smart && view ? tagLiftOnPage(hits, view.tagShare) : new Map(),
    session: smart ? buildSession(record.session) : new Map(),
    dietary: preferences.length > 0,
    seasonal: on('seasonal'),
    // Session context counts even before a profile exists (a new shopper's first visit).
    affinity: smart,
  };
  const ranked = rankHits(hits, ctx, effectiveStrength(input.strength, record));
  const moved = movedUp(ranked.order, hits.length);
  const household = on('household') && view ? view.household : null;
  const usual = on('usual') && view ? view.usual : [];
  const reorder = on('reorder') && view ? viewReorder(view, household !== null, on('seasonal')) : [];
  const section = compileSection(hits, {
    features,
    confidence: view ? view.confidence : 0,
    reordered: moved.length > 0,
    dietaryTouched: ranked.dietaryTouched,
    removed: ranked.removed.length,
    usual,
    reorder,
    complementary: on('complementary') ? complementaryItems(complements, shownElsewhere(hits, record, usual, reorder), MAX_COMPLEMENTARY) : undefined,
    preferences,
    quantityMemory: on('quantity_memory'),
    rankingSignals: [
      ...(ctx.priceLevels.size > 0 ? ['price_sensitivity'] : []),
      ...(complements.size > 0 && hits.some((h) => complements.has(h.id)) ? ['complementary'] : []),
    ],
    household,
    explain: input.explain ? explainOrder(hits, ranked.order, ctx, ranked.removed) : undefined,
  });
  return { order: ranked.order, moved, section };
}

export function personalize(input: PersonalizeInput): PersonalizeResult {
  try {
    return run(input);
  } catch {
    // A bug or a corrupt record must never cost the shopper the search: backend order.
    return untouched(Array.isArray(input?.hits) ? input.hits : [], false);
  }
}
