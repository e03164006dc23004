import type { HitView } from '../adapters/adapter.js';
import { FEATURE_NAMES, type FeatureName, type PersonalizationConfig } from '../config/schema.js';
import type { ShopperRecord } from './types.js';

// The one entry point the search route calls: load → score → sort → compile sections. Pure.

export interface UsualItem {
  id: string;
  name?: string;
  usualQuantity: number;
  timesBought: number;
  lastBought: string;
}

export interface ReorderItem {
  id: string;
  name?: string;
  usualQuantity: number;
  daysUntilDue: number;
  cycleDays: number;
  urgency: 'due_now' | 'due_soon' | 'upcoming';
}

export interface ExplainEntry {
  id: string;
  from: number;
  to: number;
  reasons: string[];
}

/** The injected section: a stable contract (see ARCHITECTURE.md). */
export interface PersonalizationSection {
  enabled: boolean;
  applied: string[];
  features: FeatureName[];
  confidence: number;
  badges: string[];
  usual: UsualItem[];
  reorder: ReorderItem[];
  explain?: ExplainEntry[];
}

export interface PersonalizeInput {
  hits: HitView[];
  record: ShopperRecord;
  /** The route's (or experiment variant's) strength; the shopper's own setting overrides it. */
  strength: number;
  config: PersonalizationConfig;
  now: number;
  explain: boolean;
}

export interface PersonalizeResult {
  /** New order as indexes into `hits` (a permutation, or a subset only under a hard filter). */
  order: number[];
  /** Original indexes of hits that moved up because of the shopper. */
  moved: number[];
  section: PersonalizationSection;
}

export function enabledFeatures(config: PersonalizationConfig, record: ShopperRecord): FeatureName[] {
  const own = record.settings?.features ?? {};
  return FEATURE_NAMES.filter((f) => own[f] ?? config.features[f] ?? DEFAULT_FEATURES[f]);
}

export const DEFAULT_FEATURES: Record<FeatureName, boolean> = {
  smart_ranking: true,
  usual: true,
  reorder: true,
  dietary: true,
  complementary: false,
  price_sensitivity: false,
  quantity_memory: true,
  household: false,
  seasonal: false,
};

/**
 * TODO(engine): this first version ranks by product purchase count and brand count only.
 */
export function personalize(input: PersonalizeInput): PersonalizeResult {
  const { hits, record } = input;
  const features = enabledFeatures(input.config, record);
  const profile = record.profile;
  const scores = hits.map((hit) => {
    if (!profile || !features.includes('smart_ranking')) return 0;
    const product = profile.products[hit.id]?.n ?? 0;
    const brand = hit.brand ? (profile.brands[hit.brand]?.w ?? 0) : 0;
    return (product * 2 + brand) * input.strength;
  });
  const order = hits.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const moved = order.filter((original, position) => position < original);
  return {
    order,
    moved,
    section: {
      enabled: true,
      applied: moved.length > 0 ? ['smart_ranking'] : [],
      features,
      confidence: 0,
      badges: moved.length > 0 ? ['Personalized for you'] : [],
      usual: [],
      reorder: [],
    },
  };
}
