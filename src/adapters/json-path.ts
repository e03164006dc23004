/**
 * Dot paths into parsed JSON (`data.items`, `hits.0.document.id`). `""` is the document itself;
 * a numeric segment indexes an array (on an object it is an ordinary key).
 *
 * Paths come from config and the documents from a backend or a storefront, so both are
 * untrusted: only own properties are read, and the segments `__proto__`, `constructor` and
 * `prototype` never match (a get finds nothing, a set does nothing). That keeps a crafted path
 * or body from reading or writing through `Object.prototype`.
 *
 * Hot-path callers compile a path once with `compilePath` and reuse it (`getAt`, `setAt`);
 * `getPath`/`setPath` compile on every call for one-off use.
 */

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const INDEX = /^(?:0|[1-9]\d*)$/;

export interface JsonPath {
  /** The path as written. */
  readonly source: string;
  readonly segments: readonly string[];
  /** Per segment: its array index, or -1 when it is not a canonical non-negative integer. */
  readonly indexes: readonly number[];
  /** A forbidden segment makes the whole path unusable. */
  readonly blocked: boolean;
}

/** Throws on an empty segment (`a..b`, `.a`, `a.`), which is always a typo in config. */
export function compilePath(source: string): JsonPath {
  if (source === '') return { source, segments: [], indexes: [], blocked: false };
  const segments = source.split('.');
  if (segments.some((s) => s === '')) {
    throw new Error(`bad JSON path "${source}": empty segment`);
  }
  return {
    source,
    segments,
    indexes: segments.map((s) => (INDEX.test(s) ? Number(s) : -1)),
    blocked: segments.some((s) => FORBIDDEN.has(s)),
  };
}

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for keys that must never be read or written on untrusted objects. */
export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN.has(key);
}

function step(container: unknown, segment: string, index: number): unknown {
  if (Array.isArray(container)) {
    return index >= 0 && index < container.length ? container[index] : undefined;
  }
  if (isJsonObject(container) && Object.hasOwn(container, segment)) {
    return container[segment];
  }
  return undefined;
}

export function getAt(document: unknown, path: JsonPath): unknown {
  if (path.blocked) return undefined;
  let current = document;
  const { segments, indexes } = path;
  for (let i = 0; i < segments.length; i++) {
    current = step(current, segments[i]!, indexes[i]!);
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Sets the value at `path`, creating missing intermediate objects. Returns false, changing
 * nothing, when the path is `""` (the document cannot replace itself), blocked, runs into a
 * non-container, or names an array element beyond the array's end.
 */
export function setAt(document: unknown, path: JsonPath, value: unknown): boolean {
  const { segments, indexes } = path;
  if (path.blocked || segments.length === 0) return false;
  // Walk first without creating anything, so a failing set leaves the document untouched.
  let current = document;
  let depth = 0;
  for (; depth < segments.length - 1; depth++) {
    const next = step(current, segments[depth]!, indexes[depth]!);
    if (next === undefined) break;
    current = next;
  }
  if (!canHold(current, indexes[depth]!)) return false;
  for (; depth < segments.length - 1; depth++) {
    const created: Record<string, unknown> = {};
    assign(current, segments[depth]!, indexes[depth]!, created);
    current = created;
  }
  assign(current, segments[depth]!, indexes[depth]!, value);
  return true;
}

function canHold(container: unknown, index: number): boolean {
  if (Array.isArray(container)) return index >= 0 && index <= container.length;
  return isJsonObject(container);
}

function assign(container: unknown, segment: string, index: number, value: unknown): void {
  if (Array.isArray(container)) container[index] = value;
  else (container as Record<string, unknown>)[segment] = value;
}

export function getPath(document: unknown, path: string): unknown {
  return getAt(document, compilePath(path));
}

export function setPath(document: unknown, path: string, value: unknown): boolean {
  return setAt(document, compilePath(path), value);
}
