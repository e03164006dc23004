import type { MetricSample } from './prometheus-text.js';

// The experiment report, computed only from the experiment counters (one scrape, or several
// summed). Pure: the admin endpoint and the CLI both feed it parsed /metrics text.

export const REPORT_METRICS = {
  shoppers: 'sidecart_experiment_shoppers_total',
  convertedShoppers: 'sidecart_experiment_converted_shoppers_total',
  conversions: 'sidecart_experiment_conversions_total',
  exposures: 'sidecart_experiment_exposures_total',
} as const;

export const REPORT_METRIC_NAMES: ReadonlySet<string> = new Set(Object.values(REPORT_METRICS));

export type ConversionType = 'purchase' | 'add_to_cart';

export const RATE_DEFINITION =
  'conversion rate = shoppers with at least one attributed conversion of this type after their first exposure / shoppers exposed to the variant (sidecart_experiment_converted_shoppers_total / sidecart_experiment_shoppers_total)';
export const INTERVAL_METHOD = 'difference of two proportions, 95% confidence interval by the normal approximation (Wald, unpooled standard error, z = 1.96)';

export interface VariantFigures {
  variant: string;
  /** Distinct shoppers exposed (the denominator). */
  shoppers: number;
  /** Distinct exposed shoppers who converted (the numerator). */
  convertedShoppers: number;
  rate: number | null;
  /** Conversion events (one per event id), all and influenced by a personalized result. */
  conversions: number;
  influencedConversions: number;
  /** Search responses served in this variant. */
  exposures: number;
}

export interface VariantComparison {
  variant: string;
  baseline: string;
  /** rate(variant) − rate(baseline), in proportion points (0.012 = 1.2 points). */
  difference: number | null;
  ci95: [number, number] | null;
  /** The interval excludes 0. */
  significant: boolean;
  /** Why the interval should not be trusted (too few conversions for the normal approximation). */
  caution?: string;
}

export interface ExperimentReport {
  experiment: string;
  type: ConversionType;
  definition: string;
  method: string;
  baseline: string | null;
  variants: VariantFigures[];
  comparisons: VariantComparison[];
}

export interface ReportOptions {
  experiment: string;
  type: ConversionType;
  /** Variant the others are compared with; default: "control" if present, else the first. */
  baseline?: string;
  /** Variants to list even with no counts yet (the admin endpoint knows them from config). */
  variants?: readonly string[];
}

const Z_95 = 1.959964;
/** Below this many successes or failures in a group the normal approximation is shaky. */
const MIN_COUNT = 5;

export function buildExperimentReport(samples: readonly MetricSample[], options: ReportOptions): ExperimentReport {
  const figures = new Map<string, VariantFigures>();
  const variantOf = (name: string): VariantFigures => {
    let f = figures.get(name);
    if (!f) figures.set(name, (f = { variant: name, shoppers: 0, convertedShoppers: 0, rate: null, conversions: 0, influencedConversions: 0, exposures: 0 }));
    return f;
  };
  for (const name of options.variants ?? []) variantOf(name);

  for (const { name, labels, value } of samples) {
    if (labels.experiment !== options.experiment || labels.variant === undefined) continue;
    const f = variantOf(labels.variant);
    if (name === REPORT_METRICS.shoppers) f.shoppers += value;
    else if (name === REPORT_METRICS.exposures) f.exposures += value;
    else if (name === REPORT_METRICS.convertedShoppers && labels.type === options.type) f.convertedShoppers += value;
    else if (name === REPORT_METRICS.conversions && labels.type === options.type) {
      f.conversions += value;
      if (labels.influenced === 'true') f.influencedConversions += value;
    }
  }
  const variants = [...figures.values()];
  for (const f of variants) f.rate = f.shoppers > 0 ? f.convertedShoppers / f.shoppers : null;

  const baselineName =
    options.baseline ?? (figures.has('control') ? 'control' : (options.variants?.[0] ?? [...figures.keys()].sort()[0] ?? null));
  const baseline = baselineName === null ? undefined : figures.get(baselineName);
  const comparisons = baseline ? variants.filter((f) => f !== baseline).map((f) => compare(f, baseline)) : [];
  return {
    experiment: options.experiment,
    type: options.type,
    definition: RATE_DEFINITION,
    method: INTERVAL_METHOD,
    baseline: baseline ? baseline.variant : null,
    variants,
    comparisons,
  };
}

/** Wald interval for p1 − p0 with independent groups. */
export function twoProportionInterval(x1: number, n1: number, x0: number, n0: number): { difference: number; ci95: [number, number] } | null {
  if (n1 <= 0 || n0 <= 0) return null;
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p0 * (1 - p0)) / n0);
  const difference = p1 - p0;
  return { difference, ci95: [difference - Z_95 * se, difference + Z_95 * se] };
}

function compare(variant: VariantFigures, baseline: VariantFigures): VariantComparison {
  const interval = twoProportionInterval(variant.convertedShoppers, variant.shoppers, baseline.convertedShoppers, baseline.shoppers);
  const comparison: VariantComparison = {
    variant: variant.variant,
    baseline: baseline.variant,
    difference: interval?.difference ?? null,
    ci95: interval?.ci95 ?? null,
    significant: interval !== null && (interval.ci95[0] > 0 || interval.ci95[1] < 0),
  };
  const thin = [variant, baseline].some((f) => Math.min(f.convertedShoppers, f.shoppers - f.convertedShoppers) < MIN_COUNT);
  if (interval === null) comparison.caution = 'no exposed shoppers in one of the groups yet';
  else if (thin) comparison.caution = `fewer than ${MIN_COUNT} converting or non-converting shoppers in a group: the normal approximation is unreliable`;
  return comparison;
}
