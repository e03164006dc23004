import type { ShopperProfile } from './types.js';

// An estimate of household size from what a household buys, with a confidence. Two cues:
// - basket size: distinct products per order (assumed ~6 for one person, ~3 more per person);
// - consumption speed: how often staples (products with 3+ purchases) come back; a staple
//   lasting one person about 14 days lasts a family of four about 3.5.
// The constants are assumptions, not fitted (the grocery history has no household sizes);
// confidence stays ≤ 0.7 because this is an inference, and drops when the cues disagree.

export interface HouseholdEstimate {
  size: number;
  confidence: number;
  /** Median cycle of the household's staples in days: its shopping rhythm. */
  stapleCycleDays: number | null;
}

const ONE_PERSON_LINES = 6;
const LINES_PER_EXTRA_PERSON = 3;
const ONE_PERSON_STAPLE_DAYS = 14;
const MIN_ORDERS = 3;
const MAX_SIZE = 6;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

export function estimateHousehold(profile: ShopperProfile | null): HouseholdEstimate | null {
  if (!profile || profile.orders < MIN_ORDERS || profile.basketN <= 0) return null;
  const cycles: number[] = [];
  for (const id in profile.products) {
    const s = profile.products[id]!;
    if (s.n >= 3 && s.gn >= 2 && s.gm >= 1) cycles.push(s.gm);
  }
  const stapleCycle = median(cycles);
  const bySize = clamp(1 + (profile.basketMean - ONE_PERSON_LINES) / LINES_PER_EXTRA_PERSON, 1, MAX_SIZE);
  const bySpeed = stapleCycle === null ? null : clamp(ONE_PERSON_STAPLE_DAYS / stapleCycle, 1, MAX_SIZE);
  const size = Math.round(bySpeed === null ? bySize : (bySize + bySpeed) / 2);
  const volume = Math.min(1, profile.orders / 10);
  const agreement = bySpeed === null ? 0.5 : 1 - Math.abs(bySize - bySpeed) / MAX_SIZE;
  const confidence = Math.round(0.7 * volume * agreement * 100) / 100;
  return { size, confidence, stapleCycleDays: stapleCycle === null ? null : Math.round(stapleCycle * 10) / 10 };
}
