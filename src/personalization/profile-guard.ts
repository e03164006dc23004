import { isKeyedRecord, keyedRecord, setEntry } from './keyed-record.js';
import { emptyProfile, type Affinity, type ProductStat, type ShopperProfile } from './types.js';

// Profiles come back from Redis, from older versions, or from a bug. A piece that is missing or
// has the wrong type falls back to its default instead of throwing: personalization is optional,
// a broken profile must cost the shopper at most their history, never the search.
// A map with a prototype (a profile parsed from JSON, or built by hand) is not sound either: the
// repaired copy keys every entry on a prototype-free object (keyed-record.ts).

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown, def = 0): number => (typeof x === 'number' && Number.isFinite(x) ? x : def);

function isSoundStat(s: unknown): s is ProductStat {
  if (!isObject(s)) return false;
  for (const k of ['n', 'q', 'w', 't', 'last', 'gn', 'gm', 'gv', 'qn'] as const) {
    if (typeof s[k] !== 'number' || !Number.isFinite(s[k])) return false;
  }
  return (s.brand === undefined || typeof s.brand === 'string') && (s.category === undefined || typeof s.category === 'string');
}

/** An object whose keys are shoppers' strings: sound only without a prototype. */
const isKeyedObject = (x: unknown): x is Record<string, unknown> => isObject(x) && isKeyedRecord(x);

function isSoundAffinities(m: unknown): m is Record<string, Affinity> {
  if (!isKeyedObject(m)) return false;
  for (const k in m) {
    const a = m[k];
    if (!isObject(a) || typeof a.w !== 'number' || !Number.isFinite(a.w) || typeof a.t !== 'number' || !Number.isFinite(a.t)) return false;
  }
  return true;
}

/** True when every field has its type; checks without allocating (runs on every search). */
export function isSoundProfile(p: unknown): p is ShopperProfile {
  if (!isObject(p)) return false;
  for (const k of ['orders', 'signals', 'firstAt', 'updatedAt', 'dietaryBase', 'basketN', 'basketMean'] as const) {
    if (typeof p[k] !== 'number' || !Number.isFinite(p[k])) return false;
  }
  if (!isKeyedObject(p.products) || !isKeyedObject(p.dietaryCounts)) return false;
  for (const id in p.products) if (!isSoundStat(p.products[id])) return false;
  for (const k in p.dietaryCounts) if (typeof p.dietaryCounts[k] !== 'number') return false;
  return isSoundAffinities(p.brands) && isSoundAffinities(p.categories) && isSoundAffinities(p.tags);
}

function repairStat(s: unknown): ProductStat | null {
  if (!isObject(s)) return null;
  const stat: ProductStat = {
    n: Math.max(0, finite(s.n)),
    q: finite(s.q),
    w: finite(s.w),
    t: finite(s.t),
    last: finite(s.last),
    gn: Math.max(0, finite(s.gn)),
    gm: finite(s.gm),
    gv: Math.max(0, finite(s.gv)),
    qn: finite(s.qn),
  };
  if (typeof s.brand === 'string') stat.brand = s.brand;
  if (typeof s.category === 'string') stat.category = s.category;
  if (typeof s.p === 'number' && Number.isFinite(s.p)) stat.p = s.p;
  if (typeof s.ss === 'number' && Number.isFinite(s.ss) && s.ss > 0) stat.ss = s.ss;
  if (typeof s.lo === 'number' && Number.isFinite(s.lo) && s.lo >= 0 && typeof s.f === 'number' && Number.isFinite(s.f) && s.f >= 0) {
    stat.lo = s.lo;
    stat.f = s.f;
  }
  return stat;
}

function repairAffinities(m: unknown): Record<string, Affinity> {
  const out = keyedRecord<Affinity>();
  if (!isObject(m)) return out;
  for (const k of Object.keys(m)) {
    const a = m[k];
    if (isObject(a) && Number.isFinite(a.w) && Number.isFinite(a.t)) setEntry(out, k, { w: a.w as number, t: a.t as number });
  }
  return out;
}

/** A clean deep copy of whatever was stored; unusable pieces become their defaults. */
export function repairProfile(p: unknown, now: number): ShopperProfile {
  const profile = emptyProfile(now);
  if (!isObject(p)) return profile;
  profile.orders = Math.max(0, finite(p.orders));
  profile.signals = Math.max(0, finite(p.signals));
  profile.firstAt = finite(p.firstAt, now);
  profile.updatedAt = finite(p.updatedAt, now);
  if (isObject(p.products)) {
    for (const id of Object.keys(p.products)) {
      const stat = repairStat(p.products[id]);
      if (stat) setEntry(profile.products, id, stat);
    }
  }
  profile.brands = repairAffinities(p.brands);
  profile.categories = repairAffinities(p.categories);
  profile.tags = repairAffinities(p.tags);
  if (isObject(p.dietaryCounts)) {
    for (const k of Object.keys(p.dietaryCounts)) {
      const c = p.dietaryCounts[k];
      if (typeof c === 'number' && Number.isFinite(c) && c > 0) setEntry(profile.dietaryCounts, k, c);
    }
  }
  profile.dietaryBase = Math.max(0, finite(p.dietaryBase));
  profile.basketN = Math.max(0, finite(p.basketN));
  profile.basketMean = Math.max(0, finite(p.basketMean));
  return profile;
}

/**
 * Profiles already checked. The memory store hands the same decoded (read-only) profile to every
 * search of a hot shopper, so the full check runs once per profile, not once per search (it was
 * ~3% of a personalized search's CPU; bench/RESULTS.md).
 */
const checkedSound = new WeakSet<object>();

/** The profile to rank with: the stored one when sound (no copy), else a repaired copy. */
export function usableProfile(p: unknown, now: number): ShopperProfile | null {
  if (p === null || p === undefined) return null;
  if (typeof p === 'object' && checkedSound.has(p)) return p as ShopperProfile;
  if (!isSoundProfile(p)) return repairProfile(p, now);
  checkedSound.add(p);
  return p;
}
