import { configSchema } from '../../src/config/schema.js';
import { createProfileUpdater, type ProfileState } from '../../src/personalization/profile-update.js';
import { emptyProfile, type ShopperEvent, type ShopperProfile } from '../../src/personalization/types.js';

// Deterministic shoppers for store tests and the store benchmark.

const DAY = 86_400_000;

// The model's seeded generator (mulberry32), so fixtures are the same on every run.
export { seededRandom } from '../../src/model/seeded-random.js';
import { seededRandom } from '../../src/model/seeded-random.js';

const BRANDS = ['oatly', 'barilla', 'danone', 'heinz', 'lindt', 'nestle', 'kelloggs', 'alpro', 'bonne-maman', 'lavazza', 'president', 'yoplait', 'tropicana', 'evian', 'lu', 'panzani', 'lesieur', 'bjorg', 'carrefour-bio', 'andros'];
const CATEGORIES = ['dairy', 'pasta', 'breakfast', 'drinks', 'snacks', 'fruit', 'vegetables', 'bakery', 'frozen', 'household', 'coffee', 'condiments'];
const TAGS = ['organic', 'vegan', 'gluten-free', 'lactose-free', 'local', 'fair-trade', 'low-sugar', 'halal', 'kosher', 'family-pack'];

/**
 * A typical regular shopper: 38 orders over 400 days (about every 10 days), 50 products (30
 * bought, some many times, 20 only viewed or clicked), 12 brands, 8 categories, 5 tags (pass
 * more affinities for a rich shopper; the profile keeps up to 30 of each),
 * 6-digit SKUs and prices. Purchase times are order times and views happen in a few sessions,
 * as in real traffic.
 */
export function typicalProfile(now: number, seed = 1, affinities = { brands: 12, categories: 8, tags: 5 }): ShopperProfile {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const orderTimes = Array.from({ length: 38 }, (_, i) => now - (i * 10 + 1) * DAY - Math.floor(rnd() * 8 * 3_600_000));
  const sessionTimes = Array.from({ length: 12 }, (_, i) => now - (i * 5 + 1) * DAY + Math.floor(rnd() * 12 * 3_600_000));
  const recent = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * rnd() * xs.length)]!;
  const profile = emptyProfile(now - 400 * DAY);
  profile.updatedAt = now;
  profile.orders = 38;
  profile.signals = 612;
  for (let i = 0; i < 50; i++) {
    const id = `sku-${String(100000 + Math.floor(rnd() * 900000))}`;
    const bought = i < 30;
    const n = bought ? 1 + Math.floor(rnd() * 12) : 0;
    const last = bought ? recent(orderTimes) : 0;
    const t = bought && rnd() < 0.7 ? last : recent(sessionTimes);
    profile.products[id] = {
      n,
      q: bought ? 1 + Math.floor(rnd() * 3) : 0,
      w: rnd() * 8,
      t,
      last,
      gn: n > 1 ? n - 1 : 0,
      gm: n > 1 ? 5 + rnd() * 25 : 0,
      gv: n > 2 ? rnd() * 500 : 0,
      qn: bought ? Math.max(1, n - Math.floor(rnd() * 2)) : 0,
      brand: pick(BRANDS.slice(0, affinities.brands)),
      category: pick(CATEGORIES.slice(0, affinities.categories)),
      p: Math.round(50 + rnd() * 1500) / 100,
    };
  }
  for (const b of BRANDS.slice(0, affinities.brands)) profile.brands[b] = { w: rnd() * 20, t: recent(orderTimes) };
  for (const c of CATEGORIES.slice(0, affinities.categories)) profile.categories[c] = { w: rnd() * 30, t: recent(orderTimes) };
  for (const tag of TAGS.slice(0, affinities.tags)) profile.tags[tag] = { w: rnd() * 10, t: recent(orderTimes) };
  profile.dietaryCounts = { organic: 14, vegan: 3, 'gluten-free': 2 };
  profile.dietaryBase = 38;
  profile.basketN = 38;
  profile.basketMean = 17.42;
  return profile;
}

const AISLES = ['prepared soups salads', 'specialty cheeses', 'energy granola bars', 'instant foods', 'packaged meat', 'bakery desserts', 'pasta sauce', 'fresh pasta', 'prepared meals', 'tofu meat alternatives', 'packaged seafood', 'fresh herbs', 'baking ingredients', 'oils vinegars', 'packaged cheese', 'popcorn jerky', 'fresh fruits', 'coffee', 'honeys syrups nectars', 'fresh vegetables', 'yogurt', 'milk', 'eggs', 'bread', 'soy lactosefree', 'chips pretzels'];

/**
 * A shopper like the grocery data set's (Instacart) regulars, built the way production builds
 * one: 30 orders about 10 days apart, each of ~10 items drawn from a personal pool of 50 products
 * (a few bought nearly every time), numeric product ids, the aisle as category, no brand or
 * price, replayed through the engine's own profile updater with the default config.
 */
export function groceryShapedProfile(now: number, seed = 1): ShopperProfile {
  const rnd = seededRandom(seed);
  const pool = Array.from({ length: 50 }, (_, i) => ({
    id: String(1 + Math.floor(rnd() * 49_688)),
    category: AISLES[Math.floor(rnd() * AISLES.length)]!,
    // Zipf-like: the first products are staples, the tail is bought once or twice.
    share: 0.9 / (1 + i / 3),
    tags: rnd() < 0.15 ? ['organic'] : [],
  }));
  const update = createProfileUpdater(configSchema.parse({}).personalization);
  let state: ProfileState = { profile: null, session: null };
  for (let order = 30; order >= 1; order--) {
    const at = now - order * 10 * DAY + Math.floor(rnd() * 8) * 3_600_000;
    const items = pool.filter((p) => rnd() < p.share).map((p) => ({ id: p.id, quantity: 1 + Math.floor(rnd() * 1.5), category: p.category, tags: p.tags }));
    if (order === 1) for (const p of pool) if (!items.some((i) => i.id === p.id)) items.push({ id: p.id, quantity: 1, category: p.category, tags: p.tags });
    state = update(state, [{ id: `o-${seed}-${order}`, type: 'purchase', at, items }], at);
  }
  return state.profile!;
}

let nextEvent = 0;

/** A purchase event with a unique id (unless one is given). */
export function purchase(at: number, items: { id: string; quantity?: number; brand?: string }[], id?: string): ShopperEvent {
  return {
    id: id ?? `evt-${process.pid}-${++nextEvent}`,
    type: 'purchase',
    at,
    items: items.map((i) => ({ id: i.id, quantity: i.quantity ?? 1, ...(i.brand ? { brand: i.brand } : {}) })),
  };
}
