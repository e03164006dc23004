import type { PersonalizationConfig } from '../config/schema.js';
import { DAY_MS } from './decay.js';
import { gapStdDev, quantityShare } from './purchase-stats.js';
import { inSeason } from './seasons.js';
import type { ShopperProfile } from './types.js';

// Reorder reminders: a product's cycle is the mean gap between its purchases. It is due once
// `dueFactor × cycle` days have passed since the last purchase. Urgency from the days left until
// a full cycle: due_now (≤ 0), due_soon (≤ 2), upcoming (later). A product far past its cycle
// (more than two cycles plus the horizon) has lapsed: the shopper stopped buying it, no reminder.

/** Purchase gaps needed before a cycle is trusted (three purchases). */
export const MIN_GAPS = 2;
/** Cycles under a day are same-day repeats, not a rhythm. */
export const MIN_CYCLE_DAYS = 1;

export type Urgency = 'due_now' | 'due_soon' | 'upcoming';

export interface ReorderCandidate {
  id: string;
  usualQuantity: number;
  /** Days until a full cycle has passed since the last purchase; negative = overdue. */
  daysUntilDue: number;
  cycleDays: number;
  urgency: Urgency;
  timesBought: number;
  /** 0..1: high when the gaps are regular (spread small against the mean). */
  regularity: number;
  /** Share of purchases at the usual quantity (estimate). */
  quantityConsistency: number;
  /** The cycle leans on the household's staple rhythm (one own gap only; household feature). */
  fromHousehold?: boolean;
}

export function urgencyOf(daysUntilDue: number): Urgency {
  return daysUntilDue <= 0 ? 'due_now' : daysUntilDue <= 2 ? 'due_soon' : 'upcoming';
}

const URGENCY_RANK: Record<Urgency, number> = { due_now: 0, due_soon: 1, upcoming: 2 };

/**
 * With the household's staple rhythm known (household feature), a product seen with one gap only
 * gets a cycle: its gap averaged with the rhythm, so one odd gap does not decide alone.
 */
export interface ReorderOptions {
  householdCycleDays?: number | null;
  /** Seasonal feature: no reminder for a seasonal product out of its season. */
  seasonal?: boolean;
}

export function reorderItems(profile: ShopperProfile | null, now: number, config: PersonalizationConfig['reorder'], options: ReorderOptions = {}): ReorderCandidate[] {
  if (!profile) return [];
  const rhythm = options.householdCycleDays ?? null;
  const out: ReorderCandidate[] = [];
  for (const id in profile.products) {
    const stat = profile.products[id]!;
    const sparse = stat.gn === 1 && rhythm !== null;
    if ((stat.gn < MIN_GAPS && !sparse) || stat.last <= 0 || stat.gm < MIN_CYCLE_DAYS) continue;
    if (options.seasonal && inSeason(stat, now) === false) continue;
    const cycle = sparse ? (stat.gm + rhythm) / 2 : stat.gm;
    const daysSince = (now - stat.last) / DAY_MS;
    if (daysSince < config.dueFactor * cycle) continue;
    if (daysSince > 2 * cycle + config.horizonDays) continue;
    const daysUntilDue = Math.round(cycle - daysSince);
    if (daysUntilDue > config.horizonDays) continue;
    const spread = sparse ? 1 : gapStdDev(stat) / cycle;
    out.push({
      id,
      usualQuantity: stat.q > 0 ? stat.q : 1,
      daysUntilDue,
      cycleDays: Math.round(cycle * 10) / 10,
      urgency: urgencyOf(daysUntilDue),
      timesBought: stat.n,
      regularity: Math.round(Math.max(0, 1 - spread) * 100) / 100,
      quantityConsistency: Math.round(quantityShare(stat) * 100) / 100,
      ...(sparse ? { fromHousehold: true } : {}),
    });
  }
  out.sort((a, b) => URGENCY_RANK[a.urgency] - URGENCY_RANK[b.urgency] || b.timesBought - a.timesBought || (a.id < b.id ? -1 : 1));
  return out.slice(0, config.maxItems);
}
