import { readFileSync } from 'node:fs';

/** A fresh parse of a fixture on every call: adapters edit documents in place. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
}

/** Walks a parsed fixture by keys; a test helper, so it trusts the fixture's shape. */
export function at(document: unknown, ...keys: Array<string | number>): unknown {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return keys.reduce<any>((node, key) => node[key], document);
}
