import type { ExperimentConfig, RouteConfig } from '../config/schema.js';
import type { LiveConfig } from '../config/live-config.js';
import type { ShopperIdentity } from '../identity/shopper-identity.js';
import { stableFraction } from '../identity/stable-fraction.js';
import type { VariantAssignment } from '../proxy/search-served.js';

/**
 * Where a shopper falls in an experiment, as a number in [0, 1): the stable fraction (FNV-1a +
 * murmur3's fmix32) of `<experiment>:<shopperId>`. Every replica and every restart computes the
 * same value, and with the experiment's name in the input a shopper's place in one experiment
 * says nothing about their place in another.
 * Shopper ids are ASCII (validated), so the UTF-16 code units hashed here are the id's bytes.
 */
export function experimentPosition(experiment: string, shopperId: string): number {
  return stableFraction(`${experiment}:${shopperId}`);
}

/**
 * The variant for a shopper: the position scaled to [0, total weight) picks the variant whose
 * cumulative weight range holds it. Changing weights moves only the shoppers near the changed
 * boundaries; renaming the experiment reshuffles everyone (a new experiment).
 */
export function pickVariant(experiment: ExperimentConfig, shopperId: string): ExperimentConfig['variants'][number] {
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
  const bucket = experimentPosition(experiment.name, shopperId) * total;
  let upTo = 0;
  for (const variant of experiment.variants) {
    upTo += variant.weight;
    if (bucket < upTo) return variant;
  }
  // Only reachable through floating-point rounding at the very top of the range.
  return [...experiment.variants].reverse().find((v) => v.weight > 0) ?? experiment.variants[0]!;
}

/**
 * `SearchRouteDeps.assignVariant`: the route's experiment (if any) decides. Reads the live
 * config on each call, so a reload that changes weights or adds an experiment applies at once.
 * No cache: the hash costs well under a microsecond, less than an LRU's bookkeeping would.
 */
export function createVariantAssigner(live: LiveConfig) {
  let indexed: { experiments: readonly ExperimentConfig[]; byName: Map<string, ExperimentConfig> } | null = null;
  const experimentNamed = (name: string): ExperimentConfig | undefined => {
    const experiments = live.current().experiments;
    if (indexed?.experiments !== experiments) indexed = { experiments, byName: new Map(experiments.map((e) => [e.name, e])) };
    return indexed.byName.get(name);
  };

  return function assignVariant(route: RouteConfig, shopper: ShopperIdentity): VariantAssignment | null {
    if (!route.experiment) return null;
    const experiment = experimentNamed(route.experiment);
    if (!experiment) return null;
    const variant = pickVariant(experiment, shopper.id);
    return {
      experiment: experiment.name,
      variant: variant.name,
      personalize: variant.personalize,
      ...(variant.strength !== undefined ? { strength: variant.strength } : {}),
    };
  };
}

/** The variant a baseline comparison starts from: the first that does not personalize, else the first. */
export function baselineVariant(experiment: ExperimentConfig): string {
  return (experiment.variants.find((v) => !v.personalize) ?? experiment.variants[0]!).name;
}
