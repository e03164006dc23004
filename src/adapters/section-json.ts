// The section's JSON, exactly as JSON.stringify writes it, with the parts that repeat search
// after search written once. The section compiler shares frozen entries between searches (a
// shopper's usual and reorder items, preferences, complementary suggestions: one object per
// profile view and page name), so a frozen object whose members are all primitives cannot
// change and its JSON is kept beside it (WeakMap: it goes with the object), and so is a frozen
// list of such entries (the compiler shares the list when its entries are the same). The rest (applied,
// badges, features: what depends on this page) is written per response. Anything unusual (a
// toJSON, a nested array or object that is not a frozen flat entry) is left to JSON.stringify.

const written = new WeakMap<object, string>();

function isFlatFrozen(value: object): boolean {
  if (!Object.isFrozen(value) || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(value)) {
    const member: unknown = (value as Record<string, unknown>)[key];
    if (member !== null && (typeof member === 'object' || typeof member === 'function')) return false;
  }
  return true;
}

/** JSON of an array element or member value; undefined where JSON.stringify omits it. */
function partJson(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const known = written.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const json = arrayJson(value);
    // A frozen list of kept entries (or primitives) cannot change either.
    if (Object.isFrozen(value) && value.every((e: unknown) => e === null || typeof e !== 'object' || written.has(e))) written.set(value, json);
    return json;
  }
  const json = JSON.stringify(value);
  if (isFlatFrozen(value)) written.set(value, json);
  return json;
}

function arrayJson(list: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ',';
    // An element JSON.stringify cannot write (undefined, a function) is written as null.
    out += partJson(list[i]) ?? 'null';
  }
  return out + ']';
}

/** Whether a value is written by `partJson` exactly as JSON.stringify writes it as a member. */
function plain(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (!Array.isArray(value)) return true; // written whole by JSON.stringify (or its kept JSON)
  if (depth > 0) return false;
  for (const element of value) if (!plain(element, depth + 1)) return false;
  return true;
}

/** JSON.stringify(section), reusing the JSON of the frozen flat entries it shares with earlier sections. */
export function writeSectionJson(section: unknown): string {
  if (section === null || typeof section !== 'object' || Array.isArray(section) || typeof (section as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.stringify(section);
  }
  const record = section as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const key of keys) if (!plain(record[key], 0)) return JSON.stringify(section);
  let out = '{';
  for (const key of keys) {
    const part = partJson(record[key]);
    if (part === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${part}`;
  }
  return out + '}';
}
