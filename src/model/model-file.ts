import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NEXT_BASKET_FEATURES, type NextBasketModel } from '../personalization/next-basket-model.js';

// The model file `sidecart train` writes and `personalization.model` names: JSON, validated
// whole on load (a file from another version, a truncated copy or a hand edit is refused with
// the reason, never half used).

export const MODEL_KIND = 'sidecart-next-basket';
export const MODEL_VERSION = 1;

const finite = z.number().refine(Number.isFinite, 'a finite number');
const width = NEXT_BASKET_FEATURES.length;

const modelFileSchema = z
  .object({
    kind: z.literal(MODEL_KIND),
    version: z.literal(MODEL_VERSION),
    learner: z.literal('logistic'),
    features: z.array(z.string()).refine((f) => f.length === width && f.every((name, i) => name === NEXT_BASKET_FEATURES[i]), `the features ${NEXT_BASKET_FEATURES.join(', ')}, in that order (retrain with this version)`),
    mean: z.array(finite).length(width),
    scale: z.array(finite.refine((v) => v > 0, 'above 0')).length(width),
    weights: z.array(finite).length(width),
    bias: finite,
    halfLifeDays: finite.refine((v) => v > 0, 'above 0'),
    /** [product id, share of orders, repeat rate] */
    products: z.array(z.tuple([z.string().min(1), finite.min(0).max(1), finite.min(0).max(1)])),
    popularityFloor: finite.min(0).max(1),
    repeatFloor: finite.min(0).max(1),
    trained: z.object({ seed: z.number().int(), shoppers: z.number().int(), orders: z.number().int(), rows: z.number().int(), from: z.string() }).loose(),
  })
  .strict();

export type ModelFile = z.infer<typeof modelFileSchema>;

export function modelFileOf(model: NextBasketModel, trained: ModelFile['trained']): ModelFile {
  const ids = [...model.popularity.keys()];
  return {
    kind: MODEL_KIND,
    version: MODEL_VERSION,
    learner: 'logistic',
    features: [...NEXT_BASKET_FEATURES],
    mean: model.mean,
    scale: model.scale,
    weights: model.weights,
    bias: model.bias,
    halfLifeDays: model.halfLifeDays,
    products: ids.map((id) => [id, model.popularity.get(id)!, model.repeat.get(id) ?? model.repeatFloor]),
    popularityFloor: model.popularityFloor,
    repeatFloor: model.repeatFloor,
    trained,
  };
}

/** Same model, same text: keys in a fixed order, numbers as JavaScript prints them. */
export function serializeModel(file: ModelFile): string {
  return `${JSON.stringify(file)}\n`;
}

/** Thrown for a model file that cannot be used; the message says why. */
export class ModelFileError extends Error {
  readonly code = 'EMODELFILE';
}

export function parseModelFile(text: string): NextBasketModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`not JSON (${(err as Error).message})`);
  }
  const result = modelFileSchema.safeParse(raw);
  if (!result.success) {
    throw new ModelFileError(result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; '));
  }
  const f = result.data;
  // Product ids become Map keys (never object properties).
  return {
    mean: f.mean,
    scale: f.scale,
    weights: f.weights,
    bias: f.bias,
    halfLifeDays: f.halfLifeDays,
    popularity: new Map(f.products.map(([id, share]) => [id, share])),
    popularityFloor: f.popularityFloor,
    repeat: new Map(f.products.map(([id, , repeat]) => [id, repeat])),
    repeatFloor: f.repeatFloor,
  };
}

export function readModelFile(path: string): NextBasketModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseModelFile(text);
}
