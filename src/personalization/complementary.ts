import { ownEntry } from './keyed-record.js';
import { productImportance } from './profile-bounds.js';
import type { SessionContext, ShopperProfile } from './types.js';

// "Often bought together". Anchors are what the shopper has in the cart this session, else their
// staples (most important products). Partners come from
// - the store's co-purchase counts across all shoppers, when the store provides them
//   (`coPurchases`: anchor → partner → baskets holding both, bounded by the store; only counts,
//   never another shopper's data), scored by P(partner | anchor);
// - the shopper's own baskets: products last bought at the same moment as an anchor were in one
//   basket (no pair list is kept in the profile).
// Products in the cart or on the page, and the anchors themselves, are never suggested.

export type CoPurchases = Record<string, Record<string, number>>;

export interface ComplementaryCandidate {
  id: string;
  /** 0..1: share of the anchor's baskets that also held this product. */
  score: number;
  anchor: string;
  source: 'store' | 'own';
}

/** Anchors considered; partners needing fewer baskets than MIN_SUPPORT are noise. */
export const MAX_ANCHORS = 5;
export const MIN_SUPPORT = 3;
/** An own-basket pairing counts as this share (one basket is weak evidence). */
const OWN_SCORE = 0.2;

/** The anchors: the cart's products, else the shopper's staples (`staples` when already known, from the profile view). */
export function complementAnchors(profile: ShopperProfile | null, session: SessionContext | null, now: number, halfLifeDays: number, staples?: string[]): string[] {
  const cart: string[] = [];
  const removed = new Set<string>();
  for (const r of Array.isArray(session?.recent) ? session.recent : []) {
    if (r.type === 'remove_from_cart') removed.add(r.id);
    else if (r.type === 'add_to_cart' && !removed.has(r.id) && !cart.includes(r.id)) cart.push(r.id);
  }
  if (cart.length > 0) return cart.slice(0, MAX_ANCHORS);
  if (staples) return staples;
  if (!profile) return [];
  // The MAX_ANCHORS most important bought products, by one pass with a small sorted list (no
  // sort of the whole profile, one importance each).
  const top: { id: string; importance: number }[] = [];
  for (const id in profile.products) {
    const stat = profile.products[id]!;
    if (stat.n <= 0) continue;
    const importance = productImportance(stat, now, halfLifeDays);
    if (top.length === MAX_ANCHORS && !before(importance, id, top[MAX_ANCHORS - 1]!)) continue;
    let at = top.length;
    while (at > 0 && before(importance, id, top[at - 1]!)) at--;
    top.splice(at, 0, { id, importance });
    if (top.length > MAX_ANCHORS) top.pop();
  }
  return top.map((t) => t.id);
}

/** More important first; ties by id (deterministic). */
function before(importance: number, id: string, other: { id: string; importance: number }): boolean {
  return importance > other.importance || (importance === other.importance && id < other.id);
}

/** Partner → best candidate, for ranking and for the section list. */
export function complementScores(anchors: readonly string[], profile: ShopperProfile | null, coPurchases: CoPurchases | undefined): Map<string, ComplementaryCandidate> {
  const out = new Map<string, ComplementaryCandidate>();
  const anchorSet = new Set(anchors);
  const offer = (c: ComplementaryCandidate) => {
    if (anchorSet.has(c.id)) return;
    const seen = out.get(c.id);
    if (!seen || c.score > seen.score) out.set(c.id, c);
  };
  for (const anchor of anchors) {
    // Ids are shoppers' strings: own entries only (`constructor` is a product, not Object).
    const partners = ownEntry(coPurchases, anchor);
    if (partners && typeof partners === 'object') {
      const base = ownEntry(partners, anchor);
      const ids = Object.keys(partners);
      let total = typeof base === 'number' && base > 0 ? base : 0;
      if (total === 0) for (const id of ids) total = Math.max(total, partners[id] ?? 0);
      for (const id of ids) {
        const n = partners[id] ?? 0;
        if (id !== anchor && n >= MIN_SUPPORT && total > 0) offer({ id, score: Math.min(1, n / total), anchor, source: 'store' });
      }
    }
    const last = ownEntry(profile?.products, anchor)?.last ?? 0;
    if (profile && last > 0) {
      for (const id in profile.products) {
        if (id !== anchor && profile.products[id]!.last === last) offer({ id, score: OWN_SCORE, anchor, source: 'own' });
      }
    }
  }
  return out;
}

export function complementaryItems(
  scores: ReadonlyMap<string, ComplementaryCandidate>,
  exclude: ReadonlySet<string>,
  maxItems: number,
): ComplementaryCandidate[] {
  const list = [...scores.values()].filter((c) => !exclude.has(c.id));
  list.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return list.slice(0, maxItems);
}
