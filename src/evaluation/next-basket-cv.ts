import type { PersonalizationConfig } from '../config/schema.js';
import { fitNextBasket, popularityOf, seededRandom, seededShuffle, snapshotsOf, type Snapshot } from '../model/train-next-basket.js';
import { predictBasket } from '../personalization/next-basket-model.js';
import { registerNextBasketModel } from '../personalization/next-basket-registry.js';
import { personalize } from '../personalization/personalize.js';
import type { ShopperEvent } from '../personalization/types.js';
import type { PreparedShopper } from './run-evaluation.js';
import { SetAverager, scoreSet, type SetSummary } from './set-metrics.js';

// Cross-validated next-basket F1: shoppers are dealt into folds (seeded), the model is trained on
// the other folds' whole histories and predicts each held-out shopper's last basket from the
// profile of the orders before it. A shopper is never in both the training and the test side.

export interface CvOptions {
  config: PersonalizationConfig;
  folds: number;
  seed: number;
  cutsPerShopper?: number;
}

export interface CvResult {
  model: SetSummary;
  /** Same list sizes as the model's, filled with the shopper's own most-bought products. */
  ownTopSameSize: SetSummary;
  /** Same list sizes, filled with the training folds' most popular products. */
  popularSameSize: SetSummary;
  /** Today's rules on the same shoppers: usual ∪ reorder (no model). */
  rules: SetSummary;
  perFold: number[];
  folds: number;
  /** The config each shopper is evaluated with: its fold's model registered under `model`. */
  configFor: Map<string, PersonalizationConfig>;
}

/** The registered name of fold f's model. */
export const foldModelName = (f: number): string => `(cross-validation fold ${f + 1})`;

/** Fold of each shopper (index into `shoppers`), dealt round-robin after a seeded shuffle. */
export function assignFolds(userIds: readonly string[], folds: number, seed: number): Map<string, number> {
  const order = seededShuffle([...userIds].sort(), seededRandom(seed));
  return new Map(order.map((id, i) => [id, i % folds]));
}

/** The shopper's whole history: the replayed orders and the held-out one. */
export function wholeHistory(shopper: PreparedShopper): ShopperEvent[] {
  const { history, target, userId } = shopper.split;
  return [...history, { id: `order-target-${userId}`, type: 'purchase', at: target.at, items: target.products.map((id) => ({ id, quantity: 1 })) }];
}

/** Each fold's training and test shoppers (indexes into `userIds`). */
export function foldSplit(userIds: readonly string[], folds: number, seed: number): { train: number[]; test: number[] }[] {
  const fold = assignFolds(userIds, folds, seed);
  return Array.from({ length: folds }, (_, f) => ({
    train: userIds.map((_, i) => i).filter((i) => fold.get(userIds[i]!) !== f),
    test: userIds.map((_, i) => i).filter((i) => fold.get(userIds[i]!) === f),
  }));
}

export function crossValidate(shoppers: readonly PreparedShopper[], options: CvOptions): CvResult {
  const split = foldSplit(
    shoppers.map((s) => s.split.userId),
    options.folds,
    options.seed,
  );
  const histories = shoppers.map(wholeHistory);
  // Replays do not depend on the fold: once per shopper.
  const snapshots: Snapshot[][] = histories.map((h) => snapshotsOf(h, options.cutsPerShopper ?? 3, options.config));
  const model = new SetAverager();
  const own = new SetAverager();
  const popular = new SetAverager();
  const rules = new SetAverager();
  const configFor = new Map<string, PersonalizationConfig>();
  const perFold: number[] = [];
  for (let f = 0; f < options.folds; f++) {
    const { train, test } = split[f]!;
    const table = popularityOf(
      train.map((i) => histories[i]!),
      20_000,
    );
    const fitted = fitNextBasket(
      train.flatMap((i) => snapshots[i]!),
      table,
      { config: options.config, seed: options.seed + f },
    ).model;
    registerNextBasketModel(foldModelName(f), fitted);
    const foldConfig = { ...options.config, model: foldModelName(f) };    const ranked = [...table.popularity.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
    const foldAvg = new SetAverager();
    for (const i of test) {
      const s = shoppers[i]!;
      const actual = new Set(s.split.target.products);
      configFor.set(s.split.userId, foldConfig);
      const record = { profile: s.profile, settings: { personalization: true, features: {}, dietary: [], updatedAt: 0 }, session: null };
      const { section } = personalize({ hits: [], record, strength: 0.5, config: options.config, now: s.split.target.at, explain: false });
      rules.add(scoreSet([...new Set([...section.usual.map((u) => u.id), ...section.reorder.map((r) => r.id)])], actual));
      const list = predictBasket(fitted, s.profile, s.split.target.at).map((p) => p.id);
      const score = scoreSet(list, actual);
      model.add(score);
      foldAvg.add(score);
      const top = [...s.counts.entries()].sort((a, b) => b[1] - a[1] || Number(a[0]) - Number(b[0])).slice(0, list.length).map(([id]) => id);
      own.add(scoreSet(top, actual));
      popular.add(scoreSet(ranked.slice(0, list.length), actual));
    }
    perFold.push(foldAvg.summary().f1);
  }
  return { model: model.summary(), ownTopSameSize: own.summary(), popularSameSize: popular.summary(), rules: rules.summary(), perFold, folds: options.folds, configFor };
}
