import type { FeatureName, PersonalizationConfig } from '../config/schema.js';
import { DEFAULT_FEATURES } from '../personalization/features.js';
import { measure, type EvaluationResult, type Prepared } from './run-evaluation.js';

// Issue 9's signals, each switched on alone against a run with all of them off: the change in
// F1 of the predicted basket (usual ∪ reorder ∪ complementary) and in the mean aisle position of
// the bought product. A signal whose input the data does not carry cannot move the numbers.

export const SIGNALS = ['complementary', 'price_sensitivity', 'quantity_memory', 'household', 'seasonal'] as const satisfies readonly FeatureName[];

/** Why a signal cannot show an effect on the grocery history. */
export const NOT_IN_DATA: Partial<Record<(typeof SIGNALS)[number], string>> = {
  price_sensitivity: 'no prices in the data',
  quantity_memory: 'no quantities in the data (every line is 1)',
  seasonal: 'no calendar dates in the data (relative days only)',
};

export interface SignalRow {
  signal: (typeof SIGNALS)[number];
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
  const rows = SIGNALS.map((signal): SignalRow => {
    const r = measure(prepared, { config, strength, features: { ...allOff, [signal]: true } });
    return {
      signal,
      defaultOn: DEFAULT_FEATURES[signal],
      f1: r.sets.union.f1,
      deltaF1: r.sets.union.f1 - base.sets.union.f1,
      meanPosition: r.positions.personalized.mean,
      deltaPosition: r.positions.personalized.mean - base.positions.personalized.mean,
      note: NOT_IN_DATA[signal] ?? '',
    };
  });
  return { base, rows };
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

export function formatAblation(base: EvaluationResult, rows: readonly SignalRow[]): string {
  return [
    `(c) Issue 9 signals, each on alone vs all off (all off: F1 ${base.sets.union.f1.toFixed(4)}, mean position ${base.positions.personalized.mean.toFixed(2)}; lower position is better)`,
    '',
    '| signal | on by default | F1 | ΔF1 | mean position | Δ position | note |',
    '| --- | :---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.signal} | ${r.defaultOn ? 'yes' : 'no'} | ${r.f1.toFixed(4)} | ${signed(r.deltaF1, 4)} | ${r.meanPosition.toFixed(2)} | ${signed(r.deltaPosition, 2)} | ${r.note} |`),
  ].join('\n');
}
