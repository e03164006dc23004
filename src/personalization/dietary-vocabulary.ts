// The dietary and cultural tag vocabulary. A hit's tags (as the adapter reads them) are
// normalized (lower case, spaces and underscores to '-') and then compared with these lists.
//
// A hit MATCHES a preference when it carries one of the preference's `matches` tags.
// A hit CONFLICTS with a preference when it carries one of its `conflicts` tags; conflict wins
// over match (an item tagged both `vegan` and `contains-egg` is treated as conflicting, the safe
// reading of bad data). A hit with neither kind of tag is neutral: sidecart never guesses from
// names. Store-defined preferences (config `dietary.extraTags`) match their own tag and conflict
// with `non-<tag>` and `not-<tag>`.

export interface DietaryRule {
  matches: readonly string[];
  conflicts: readonly string[];
}

const MEAT = ['meat', 'contains-meat', 'beef', 'pork', 'contains-pork', 'poultry', 'chicken', 'fish', 'contains-fish', 'seafood', 'shellfish', 'gelatin'];
const ANIMAL = ['dairy', 'contains-dairy', 'milk', 'contains-milk', 'egg', 'eggs', 'contains-egg', 'honey', 'lactose', 'contains-lactose'];

export const BUILT_IN_DIETARY: Readonly<Record<string, DietaryRule>> = {
  vegetarian: { matches: ['vegetarian', 'vegan'], conflicts: [...MEAT, 'non-vegetarian'] },
  vegan: { matches: ['vegan'], conflicts: [...MEAT, ...ANIMAL, 'non-vegan'] },
  halal: { matches: ['halal'], conflicts: ['pork', 'contains-pork', 'alcohol', 'contains-alcohol', 'gelatin', 'non-halal'] },
  kosher: { matches: ['kosher'], conflicts: ['pork', 'contains-pork', 'shellfish', 'non-kosher'] },
  'gluten-free': { matches: ['gluten-free'], conflicts: ['gluten', 'contains-gluten', 'wheat', 'barley', 'rye'] },
  'lactose-free': {
    matches: ['lactose-free', 'dairy-free', 'vegan'],
    conflicts: ['lactose', 'contains-lactose', 'dairy', 'contains-dairy', 'milk', 'contains-milk'],
  },
};

/** `Gluten Free` and `gluten_free` both become `gluten-free`. */
export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase().replace(/[\s_]+/g, '-');
}

/** The rule for a preference: built-in, a configured extra tag, or null for an unknown one. */
export function dietaryRule(preference: string, extraTags: readonly string[]): DietaryRule | null {
  const name = normalizeTag(preference);
  // Own entries only: a preference named `constructor` is unknown, not Object.
  if (Object.hasOwn(BUILT_IN_DIETARY, name)) return BUILT_IN_DIETARY[name]!;
  if (extraTags.some((t) => normalizeTag(t) === name)) {
    return { matches: [name], conflicts: [`non-${name}`, `not-${name}`] };
  }
  return null;
}

/** Every preference the store knows: built-in ones, then its extra tags. */
export function knownPreferences(extraTags: readonly string[]): string[] {
  const names = Object.keys(BUILT_IN_DIETARY);
  for (const t of extraTags) {
    const n = normalizeTag(t);
    if (!names.includes(n)) names.push(n);
  }
  return names;
}

export type DietaryFit = 1 | 0 | -1;

/** 1 = matches, -1 = conflicts, 0 = neutral. `tags` must be normalized. */
export function dietaryFit(rule: DietaryRule, tags: readonly string[]): DietaryFit {
  if (tags.length === 0) return 0;
  const sets = ruleSets(rule);
  let fit: DietaryFit = 0;
  for (const tag of tags) {
    if (sets.conflicts.has(tag)) return -1;
    if (sets.matches.has(tag)) fit = 1;
  }
  return fit;
}

// Rules are long-lived (built-in, or one per active preference); their tag lists as Sets, once.
// This runs per hit, per preference, on every search.
const ruleSetCache = new WeakMap<DietaryRule, { conflicts: Set<string>; matches: Set<string> }>();
function ruleSets(rule: DietaryRule): { conflicts: Set<string>; matches: Set<string> } {
  let sets = ruleSetCache.get(rule);
  if (!sets) ruleSetCache.set(rule, (sets = { conflicts: new Set(rule.conflicts), matches: new Set(rule.matches) }));
  return sets;
}
