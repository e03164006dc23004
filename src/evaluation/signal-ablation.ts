import { DEFAULT_FEATURES, type FeatureName, type PersonalizationConfig } from '../config/schema.js';
import type { ScoreTermFeature } from '../personalization/score-terms.js';
import { measure, type EvaluationResult, type Prepared } from './run-evaluation.js';

// The optional signals, each switched on alone against a run with all of them off: the change in
// F1 of the predicted basket (usual ∪ reorder ∪ complementary) and in the mean aisle position of
// the bought product. A signal whose input the data does not carry cannot move the numbers.

export const SIGNALS = ['complementary', 'price_sensitivity', 'quantity_memory', 'household', 'seasonal'] as const satisfies readonly FeatureName[];

/** Features on in every run of the ablation: the base ranking and lists the signals add to. */
export const BASE_FEATURES = ['smart_ranking', 'usual', 'reorder', 'dietary'] as const satisfies readonly FeatureName[];

/**
 * Every score term's feature is measured alone or is part of the base: a new term behind a new
 * feature does not compile until the feature is added to one of the two lists.
 */
type Unmeasured = Exclude<ScoreTermFeature, (typeof SIGNALS)[number] | (typeof BASE_FEATURES)[number]>;
const _everyScoreTermMeasured: [Unmeasured] extends [never] ? true : Unmeasured = true;

/** Why a signal cannot show an effect on the grocery history. */
export const NOT_IN_DATA: Partial<Record<(typeof SIGNALS)[number], string>> = {
  price_sensitivity: 'no prices in the data',
  quantity_memory: 'display only (usual quantity per product = per pack size, pack read from the name); no quantities in the data (every line is 1)',
  seasonal: 'no calendar dates in the data (relative days only)',
};

/** What a row measures beyond "the signal on". */
const ROW_NOTES: Partial<Record<string, string>> = {
  'complementary, store-wide':
    'store-wide pair counts (training baskets, top 20 partners per product) plus own baskets; needs personalization.complementaryStoreWide; it mostly suggests products the shopper never bought, which the next-basket F1 counts as misses (cross-sell would need exposure data)',
  'complementary (own baskets only)': 'what a store without complementaryStoreWide gets',
  household: 'reorder cycle from the household rhythm for products with one gap; usual quantities are not scaled',
};

export interface SignalRow {
  signal: (typeof SIGNALS)[number] | 'complementary, store-wide' | 'complementary (own baskets only)';
  defaultOn: boolean;
  f1: number;
  deltaF1: number;
  meanPosition: number;
  deltaPosition: number;
  note: string;
}

export function ablateSignals(prepared: Prepared, config: PersonalizationConfig, strength: number): { base: EvaluationResult; rows: SignalRow[] } {
  const allOff = Object.fromEntries(SIGNALS.map((s) => [s, false])) as Partial<Record<FeatureName, boolean>>;
  const base = measure(prepared, { config, strength, features: allOff });
  const row = (signal: SignalRow['signal'], r: EvaluationResult, defaultOn: boolean): SignalRow => ({
    signal,
    defaultOn,
    f1: r.sets.union.f1,
    deltaF1: r.sets.union.f1 - base.sets.union.f1,
    meanPosition: r.positions.personalized.mean,
    deltaPosition: r.positions.personalized.mean - base.positions.personalized.mean,
    note: [ROW_NOTES[signal], NOT_IN_DATA[signal as (typeof SIGNALS)[number]]].filter(Boolean).join('; '),
  });
  const rows: SignalRow[] = [];
  for (const signal of SIGNALS) {
    if (signal === 'complementary') {
      // Two rows: the store's switch decides whether other shoppers' pair counts take part.
      const storeWide = measure(prepared, { config, strength, features: { ...allOff, complementary: true } });
      rows.push(row('complementary, store-wide', storeWide, DEFAULT_FEATURES.complementary && config.complementaryStoreWide));
      const own = measure(prepared, { config, strength, features: { ...allOff, complementary: true }, storeWide: false });
      rows.push(row('complementary (own baskets only)', own, DEFAULT_FEATURES.complementary));
      continue;
    }
    rows.push(row(signal, measure(prepared, { config, strength, features: { ...allOff, [signal]: true } }), DEFAULT_FEATURES[signal]));
  }
  return { base, rows };
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

export function formatAblation(base: EvaluationResult, rows: readonly SignalRow[]): string {
  return [
    `(c) Optional signals, each on alone vs all off (all off: F1 ${base.sets.union.f1.toFixed(4)}, mean position ${base.positions.personalized.mean.toFixed(2)}; lower position is better)`,
    '',
    '| signal | on by default | F1 | ΔF1 | mean position | Δ position | note |',
    '| --- | :---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.signal} | ${r.defaultOn ? 'yes' : 'no'} | ${r.f1.toFixed(4)} | ${signed(r.deltaF1, 4)} | ${r.meanPosition.toFixed(2)} | ${signed(r.deltaPosition, 2)} | ${r.note} |`),
    '',
    readingOf(rows),
  ].join('\n');
}

/** One line per signal: does the default follow the measurement? */
function readingOf(rows: readonly SignalRow[]): string {
  const lines = rows.map((r) => {
    const helped = r.deltaF1 > 0.0005 || r.deltaPosition < -0.05;
    const hurt = r.deltaF1 < -0.0005 || r.deltaPosition > 0.05;
    const verdict = helped && !hurt ? 'helps' : hurt && !helped ? 'hurts' : helped && hurt ? 'mixed' : 'no measurable effect';
    return `- ${r.signal}: ${verdict} (ΔF1 ${signed(r.deltaF1, 4)}, Δ position ${signed(r.deltaPosition, 2)}); ${r.defaultOn ? 'on' : 'off'} by default.`;
  });
  return [
    'Reading: a signal that did not help here stays off by default, unless it only adds facts to the section',
    '(quantity_memory: quantities and pack sizes, no ranking or list change).',
    ...lines,
  ].join('\n');
}
