import { decayFactor } from './decay.js';
import { gapStdDev, quantityShare } from './purchase-stats.js';
import type { ShopperProfile } from './types.js';

// How much to trust what sidecart knows about a shopper (0..1): how much data (volume), how
// recent it is (recency, on the profile's half-life) and how regular the shopper is
// (consistency of purchase gaps and quantities), weighted 0.5 / 0.3 / 0.2.

export interface ConfidenceParts {
  volume: number;
  recency: number;
  consistency: number;
  total: number;
}

export function volumeScore(signals: number): number {
  if (signals >= 50) return 0.9;
  if (signals >= 20) return 0.7;
  if (signals >= 10) return 0.5;
  return signals > 0 ? 0.3 : 0;
}

/** Neutral consistency when no product has enough purchases to judge. */
const UNKNOWN_CONSISTENCY = 0.5;

export function confidenceParts(profile: ShopperProfile | null, now: number, halfLifeDays: number): ConfidenceParts {
  if (!profile || profile.signals <= 0) return { volume: 0, recency: 0, consistency: 0, total: 0 };
  let lastSignal = 0;
  let regularity = 0;
  let judged = 0;
  for (const id in profile.products) {
    const stat = profile.products[id]!;
    if (stat.t > lastSignal) lastSignal = stat.t;
    if (stat.gn >= 2 && stat.gm > 0) {
      const gaps = Math.max(0, 1 - gapStdDev(stat) / stat.gm);
      regularity += (gaps + quantityShare(stat)) / 2;
      judged += 1;
    }
  }
  if (lastSignal === 0) lastSignal = profile.updatedAt;
  const volume = volumeScore(profile.signals);
  const recency = decayFactor(lastSignal, now, halfLifeDays);
  const consistency = judged > 0 ? regularity / judged : UNKNOWN_CONSISTENCY;
  const total = Math.round(Math.min(1, 0.5 * volume + 0.3 * recency + 0.2 * consistency) * 100) / 100;
  return { volume, recency, consistency, total };
}

export function confidence(profile: ShopperProfile | null, now: number, halfLifeDays: number): number {
  return confidenceParts(profile, now, halfLifeDays).total;
}
