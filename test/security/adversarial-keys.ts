import fc from 'fast-check';

/** Strings that mean something to a plain object when used as its property names. */
export const ADVERSARIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'then',
  'length',
  'w',
  't',
] as const;

/** A key: mostly adversarial, sometimes an ordinary or random string (so both kinds meet in one map). */
export const adversarialKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...ADVERSARIAL_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom('milk', 'oat-milk', 'Oatly', 'dairy', 'vegan') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
);

/** The fast-check seed: FC_SEED from the environment, else a fixed one (printed by fast-check on failure). */
export const FC_SEED = Number(process.env.FC_SEED ?? 20261206);

/** Own keys of the two prototypes every parsed JSON value inherits from, to compare before and after. */
export function builtInPrototypeKeys(): string[] {
  const enumerated: string[] = [];
  for (const key in {}) enumerated.push(`{}.${key}`);
  for (const key in []) enumerated.push(`[].${key}`);
  return [...Reflect.ownKeys(Object.prototype).map((k) => `Object.${String(k)}`), ...Reflect.ownKeys(Array.prototype).map((k) => `Array.${String(k)}`), ...enumerated].sort();
}
