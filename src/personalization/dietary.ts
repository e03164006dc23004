import type { PersonalizationConfig } from '../config/schema.js';
import { dietaryRule, knownPreferences, normalizeTag, type DietaryRule } from './dietary-vocabulary.js';
import type { ShopperProfile, ShopperSettings } from './types.js';

// Which dietary and cultural preferences apply to a shopper: the ones they set (confidence 1) and
// the ones inferred from purchases (a share of at least `inferMinShare` of their purchased items
// over at least `inferMinPurchases` items). Only an explicit preference named in the store's
// `hardFilter` removes conflicting hits; an inferred one only demotes them.

export interface ActivePreference {
  name: string;
  source: 'explicit' | 'inferred';
  confidence: number;
  /** Conflicting hits are removed (explicit preferences in the store's hard filter only). */
  hard: boolean;
  rule: DietaryRule;
}

type DietaryConfig = PersonalizationConfig['dietary'];

/** Confidence of an inferred preference: its purchase share, damped while the volume is small. */
export function inferredConfidence(share: number, purchases: number, minPurchases: number): number {
  const volume = Math.min(1, purchases / (4 * minPurchases));
  return Math.round(share * (0.5 + 0.5 * volume) * 100) / 100;
}

export function inferPreferences(profile: ShopperProfile | null, config: DietaryConfig): ActivePreference[] {
  if (!profile || profile.dietaryBase < config.inferMinPurchases || profile.dietaryBase <= 0) return [];
  const out: ActivePreference[] = [];
  for (const name of knownPreferences(config.extraTags)) {
    const share = (profile.dietaryCounts[name] ?? 0) / profile.dietaryBase;
    if (share < config.inferMinShare || share <= 0) continue;
    const rule = dietaryRule(name, config.extraTags);
    if (rule) out.push({ name, source: 'inferred', confidence: inferredConfidence(share, profile.dietaryBase, config.inferMinPurchases), hard: false, rule });
  }
  return out;
}

/** Explicit preferences from the settings, then inferred ones (`inferred` when already known, from the profile view). */
export function activePreferences(profile: ShopperProfile | null, settings: ShopperSettings | null, config: DietaryConfig, inferred?: ActivePreference[]): ActivePreference[] {
  const dietary = Array.isArray(settings?.dietary) ? settings.dietary : [];
  const fromProfile = inferred ?? inferPreferences(profile, config);
  if (dietary.length === 0) return fromProfile;
  const hardFilter = new Set(config.hardFilter.map(normalizeTag));
  const explicit: ActivePreference[] = [];
  const seen = new Set<string>();
  for (const raw of dietary) {
    if (typeof raw !== 'string') continue;
    const name = normalizeTag(raw);
    if (!name || seen.has(name)) continue;
    seen.add(name);
    // A preference outside the vocabulary still means its own tag (the shopper asked for it).
    const rule = dietaryRule(name, config.extraTags) ?? { matches: [name], conflicts: [`non-${name}`, `not-${name}`] };
    explicit.push({ name, source: 'explicit', confidence: 1, hard: hardFilter.has(name), rule });
  }
  return [...explicit, ...fromProfile.filter((p) => !seen.has(p.name))];
}
