import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseConfig } from '../../src/config/load-config.js';
import { configSchema } from '../../src/config/schema.js';
import { REPO_ROOT } from '../support/child-process.js';

// Each default is written once, in the schema. config/default.yaml sets only what an operator
// must set (so changing a default in the schema changes the running default), and the README's
// config reference names every key with the schema's default.

/** Just enough of zod's internal definition to walk the schema's keys. */
interface SchemaDef {
  type: string;
  innerType?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
}
interface Schema {
  _zod: { def: SchemaDef };
  safeParse(value: unknown): { success: boolean; data?: unknown };
}

/** The schema under optional/default/prefault wrappers. */
function unwrap(schema: Schema): Schema {
  let inner = schema;
  while (inner._zod.def.innerType) inner = inner._zod.def.innerType;
  return inner;
}

const REQUIRED = Symbol('required');
type Expected = unknown;

/**
 * Every key the schema accepts, with its default: objects are walked (a row per field), a list
 * of objects has a row of its own and rows for its items' fields (`routes[].path`).
 */
function schemaKeys(schema: Schema, prefix = '', out = new Map<string, Expected>()): Map<string, Expected> {
  for (const [name, field] of Object.entries(unwrap(schema)._zod.def.shape!)) {
    const key = prefix ? `${prefix}.${name}` : name;
    const inner = unwrap(field);
    if (inner._zod.def.type === 'object') {
      schemaKeys(inner, key, out);
      continue;
    }
    const empty = field.safeParse(undefined);
    out.set(key, empty.success ? empty.data : REQUIRED);
    const element = inner._zod.def.type === 'array' ? unwrap(inner._zod.def.element!) : null;
    if (element?._zod.def.type === 'object') schemaKeys(element, `${key}[]`, out);
  }
  return out;
}

/** Leaf values of a parsed config by dot path (lists are leaves). */
function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

/** A README default cell: `unset`, `required`, a JSON value, or a bare string (backticks dropped). */
function readCell(cell: string): Expected {
  const text = cell.trim().replace(/^`(.*)`$/, '$1');
  if (text === 'unset') return undefined;
  if (text === 'required') return REQUIRED;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readmeRows(): Map<string, Expected> {
  const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('### Config reference'), readme.indexOf('## Metrics'));
  const rows = new Map<string, Expected>();
  for (const m of section.matchAll(/^\| `([^`]+)` \| [^|]+ \| ([^|]+) \|/gm)) {
    expect(rows.has(m[1]!), `README config reference lists ${m[1]} twice`).toBe(false);
    rows.set(m[1]!, readCell(m[2]!));
  }
  return rows;
}

const schema = configSchema as unknown as Schema;

describe('one source for each default', () => {
  it('the README config reference has a row for every schema key and none for a key the schema lacks', () => {
    const listed = [...readmeRows().keys()].sort();
    const keys = [...schemaKeys(schema).keys()].sort();
    expect(listed.filter((k) => !keys.includes(k)), 'README rows for keys the schema does not have').toEqual([]);
    expect(keys.filter((k) => !listed.includes(k)), 'schema keys without a README row').toEqual([]);
  });

  it("the README's defaults are the schema's", () => {
    const rows = readmeRows();
    for (const [key, expected] of schemaKeys(schema)) {
      if (rows.has(key)) expect(rows.get(key), `README default of ${key}`).toEqual(expected);
    }
    // The same from the other side: every value an empty config parses to.
    for (const [key, value] of flatten(configSchema.parse({}))) expect(rows.get(key), `README default of ${key}`).toEqual(value);
  });

  it('config/default.yaml sets only the routes and otherwise parses to the schema defaults', () => {
    const file = `${REPO_ROOT}/config/default.yaml`;
    const text = readFileSync(file, 'utf8');
    const raw = parseDocument(text).toJS() as Record<string, unknown>;
    // A default repeated here would hide a change of the schema's default.
    expect(Object.keys(raw)).toEqual(['routes']);
    for (const route of raw.routes as Record<string, unknown>[]) expect(Object.keys(route).sort()).toEqual(['adapter', 'path']);
    const parsed = parseConfig(text, file, {});
    expect({ ...parsed, routes: [] }).toEqual(configSchema.parse({}));
    expect(parsed.routes.length).toBeGreaterThan(0);
  });

  it('the feature and signal-weight defaults come from the schema', () => {
    const defaults = configSchema.parse({}).personalization;
    expect(Object.keys(defaults.features).length).toBeGreaterThan(0);
    expect(Object.keys(defaults.signalWeights).length).toBeGreaterThan(0);
    // A store that switches one feature keeps the built-in default of the others.
    const one = configSchema.parse({ personalization: { features: { seasonal: true } } }).personalization.features;
    expect(one).toEqual({ ...defaults.features, seasonal: true });
  });
});
