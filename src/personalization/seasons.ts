import type { ProductStat } from './types.js';

// Seasons: a product bought mostly in one season (≥ SEASONAL_SHARE of at least MIN_PURCHASES
// purchases) is seasonal. Out of its season it gets no reorder reminder and half its product
// affinity in ranking; in season it counts fully. Seasons by calendar month (UTC), northern
// hemisphere: winter Dec–Feb, spring Mar–May, summer Jun–Aug, autumn Sep–Nov.
// Counts are packed into one number (`ss`, 4 bits per season); when one reaches 15 all are
// halved, which keeps the shares and forgets old years slowly.

export const SEASONS = ['winter', 'spring', 'summer', 'autumn'] as const;
export type Season = (typeof SEASONS)[number];

const MIN_PURCHASES = 3;
const SEASONAL_SHARE = 0.75;
/** Product affinity kept out of season. */
export const OUT_OF_SEASON_FACTOR = 0.5;

export function seasonIndex(at: number): number {
  const month = new Date(at).getUTCMonth(); // 0 = January
  return Math.floor(((month + 1) % 12) / 3);
}

export function unpackSeasons(ss: number | undefined): number[] {
  const v = typeof ss === 'number' && Number.isFinite(ss) && ss > 0 ? Math.floor(ss) : 0;
  return [v & 15, (v >> 4) & 15, (v >> 8) & 15, (v >> 12) & 15];
}

function pack(counts: readonly number[]): number {
  return (counts[0]! & 15) | ((counts[1]! & 15) << 4) | ((counts[2]! & 15) << 8) | ((counts[3]! & 15) << 12);
}

export function addSeasonPurchase(stat: ProductStat, at: number): void {
  const counts = unpackSeasons(stat.ss);
  const i = seasonIndex(at);
  if (counts[i]! >= 15) for (let k = 0; k < 4; k++) counts[k] = counts[k]! >> 1;
  counts[i] = counts[i]! + 1;
  stat.ss = pack(counts);
}

/** The product's season, or null when it sells all year (or there is too little data). */
export function productSeason(stat: ProductStat | undefined): Season | null {
  if (!stat?.ss) return null;
  const counts = unpackSeasons(stat.ss);
  const total = counts[0]! + counts[1]! + counts[2]! + counts[3]!;
  if (total < MIN_PURCHASES) return null;
  let best = 0;
  for (let k = 1; k < 4; k++) if (counts[k]! > counts[best]!) best = k;
  return counts[best]! / total >= SEASONAL_SHARE ? SEASONS[best]! : null;
}

/** true / false for a seasonal product in / out of season now; null when not seasonal. */
export function inSeason(stat: ProductStat | undefined, now: number): boolean | null {
  const season = productSeason(stat);
  return season === null ? null : SEASONS[seasonIndex(now)] === season;
}
