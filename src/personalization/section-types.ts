import type { FeatureName } from '../config/schema.js';
import type { ExplainEntry } from './explain.js';

// The injected section: a stable contract (see ARCHITECTURE.md). Fields may be added, never
// renamed or removed.

export interface UsualItem {
  id: string;
  name?: string;
  usualQuantity: number;
  timesBought: number;
  /** ISO date-time of the last purchase. */
  lastBought: string;
  /** Share of the shopper's orders that held it (0..1). */
  frequency?: number;
  /** Share of purchases at the usual quantity (0..1; quantity_memory). */
  quantityConsistency?: number;
  /** Pack size read from the product's name on the page, e.g. "6 × 330 ml" (quantity_memory). */
  packSize?: string;
  /** The usual quantity in that pack size, e.g. "3.96 l" (quantity_memory). */
  usualAmount?: string;
}

export interface ReorderItem {
  id: string;
  name?: string;
  usualQuantity: number;
  daysUntilDue: number;
  cycleDays: number;
  urgency: 'due_now' | 'due_soon' | 'upcoming';
  /** 0..1: how regular the purchase gaps are. */
  regularity?: number;
  /** "household": the cycle leans on the household's shopping rhythm (too little own history). */
  cycleSource?: 'household';
  /** Share of purchases at the usual quantity (0..1; quantity_memory). */
  quantityConsistency?: number;
  /** Pack size read from the product's name on the page, e.g. "6 × 330 ml" (quantity_memory). */
  packSize?: string;
  /** The usual quantity in that pack size, e.g. "3.96 l" (quantity_memory). */
  usualAmount?: string;
}

export interface ComplementaryItem {
  id: string;
  name?: string;
  /** e.g. "often bought with Pasta" or "bought with Pasta last time". */
  reason: string;
}

export interface PreferenceNote {
  name: string;
  source: 'explicit' | 'inferred';
  confidence: number;
}

export interface PersonalizationSection {
  enabled: boolean;
  applied: string[];
  features: FeatureName[];
  confidence: number;
  badges: string[];
  usual: UsualItem[];
  reorder: ReorderItem[];
  explain?: ExplainEntry[];
  /** Often bought together with the cart or the shopper's staples (complementary feature). */
  complementary?: ComplementaryItem[];
  /** Estimated household size with its confidence (household feature). */
  household?: { size: number; confidence: number; /** Reorder items whose cycle leans on the household rhythm. */ reorderAdjusted?: number };
  /** Dietary and cultural preferences in effect (dietary feature on). */
  preferences?: PreferenceNote[];
}
