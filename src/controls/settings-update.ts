import { z } from 'zod';
import { FEATURE_NAMES, type FeatureName } from '../config/schema.js';
import { knownPreferences, normalizeTag } from '../personalization/dietary-vocabulary.js';
import { keyedCopy, setEntry } from '../personalization/keyed-record.js';
import { defaultSettings, type ShopperSettings } from '../personalization/types.js';

// `PUT /sidecart/v1/me/settings`: the wire shape is validated here, once, and turned into a
// domain update. Fields left out keep their current value; unknown fields are refused (400) so a
// typo like `personalisation: false` can never be silently ignored.

const featureSwitches = z
  .object(Object.fromEntries(FEATURE_NAMES.map((f) => [f, z.boolean().nullable()])) as Record<FeatureName, z.ZodNullable<z.ZodBoolean>>)
  .partial()
  .strict();

const settingsUpdateSchema = z
  .object({
    /** false = opted out: the backend's bytes, and no new events kept. */
    personalization: z.boolean(),
    /** Per feature: true/false, or null to go back to the store's default. */
    features: featureSwitches,
    /** Dietary and cultural preferences; replaces the list. */
    dietary: z.array(z.string().min(1).max(40)).max(20),
    /** Ranking strength 0..1, or null to use the store's. */
    strength: z.number().min(0).max(1).nullable(),
  })
  .partial()
  .strict();

export type SettingsUpdate = z.output<typeof settingsUpdateSchema>;

export type SettingsUpdateResult = { ok: true; update: SettingsUpdate } | { ok: false; field: string; message: string };

/** Validates a request body; the error names the first bad field (`features.usual`, `dietary.2`...). */
export function parseSettingsUpdate(body: unknown, extraTags: readonly string[]): SettingsUpdateResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, field: 'body', message: 'expected a JSON object (Content-Type: application/json)' };
  }
  const parsed = settingsUpdateSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      return { ok: false, field: [...path, key].join('.'), message: `unknown field (known: ${knownFields(path).join(', ')})` };
    }
    return { ok: false, field: path.join('.') || 'body', message: issue.message };
  }
  const update = parsed.data;
  if (update.dietary) {
    const known = knownPreferences(extraTags);
    const dietary: string[] = [];
    for (const [i, raw] of update.dietary.entries()) {
      const name = normalizeTag(raw);
      if (!known.includes(name)) return { ok: false, field: `dietary.${i}`, message: `unknown preference "${raw.slice(0, 40)}" (known: ${known.join(', ')})` };
      if (!dietary.includes(name)) dietary.push(name);
    }
    update.dietary = dietary;
  }
  return { ok: true, update };
}

function knownFields(path: string[]): string[] {
  return path[0] === 'features' ? [...FEATURE_NAMES] : Object.keys(settingsUpdateSchema.shape);
}

/** The shopper's settings after an update (pure). Absent fields keep their value. */
export function applySettingsUpdate(current: ShopperSettings | null, update: SettingsUpdate, now: number): ShopperSettings {
  const base = current ?? defaultSettings(now);
  // Prototype-free, like every map a shopper's request can key (the schema only lets feature names through).
  const features: Partial<Record<FeatureName, boolean>> = keyedCopy(base.features ?? {}, (on) => (typeof on === 'boolean' ? on : undefined));
  for (const [name, on] of Object.entries(update.features ?? {}) as [FeatureName, boolean | null | undefined][]) {
    if (on === null || on === undefined) delete features[name];
    else setEntry(features, name, on);
  }
  const next: ShopperSettings = {
    personalization: update.personalization ?? base.personalization,
    features,
    dietary: update.dietary ?? base.dietary,
    updatedAt: now,
  };
  const strength = update.strength === undefined ? base.strength : update.strength;
  if (typeof strength === 'number') next.strength = strength;
  return next;
}
