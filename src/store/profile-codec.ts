import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { keyedCopy, keyedRecord, setEntry } from '../personalization/keyed-record.js';
import type { Affinity, ProductStat, SessionContext, ShopperProfile, ShopperSettings } from '../personalization/types.js';
import { Reader, Writer } from './codec-primitives.js';

export { fromHalf, toHalf } from './codec-primitives.js';

// Compact binary form of a profile, so a typical shopper (~50 products) stays under 1 KB in Redis.
// Layout: one format byte, then varints. Times are minutes relative to `updatedAt`, decimals keep
// 3 places, product ids are front-coded (sorted, shared prefix dropped), brand/category/tag names
// are stored once in a string table. Fields this codec does not know (a newer profile version)
// travel as JSON at the end, so nothing is lost silently. The body is deflated when that is smaller.
// Precision: times to the hour, weights and gaps to ~3 significant digits, prices to the cent, numbers to 1/1000 (integers exactly).
// Decoded maps keyed by shoppers' strings are prototype-free (keyed-record.ts), as the updater makes them.

// Format 1 (plain 1, deflated 0x81) has no order columns; format 2 adds them after the prices.
// Both still read.
const FORMAT_PLAIN = 1;
const FORMAT_DEFLATED = 0x81;
const FORMAT_PLAIN_2 = 2;
const FORMAT_DEFLATED_2 = 0x82;
// Hours: decay (half-life ~30 days) and purchase gaps (days) lose nothing that matters at this precision.
const TIME_UNIT = 3_600_000;

const PROFILE_KEYS = new Set(['v', 'orders', 'signals', 'firstAt', 'updatedAt', 'products', 'brands', 'categories', 'tags', 'dietaryCounts', 'dietaryBase', 'basketN', 'basketMean']);
/** The order-decayed frequency is kept to 1/FREQUENCY_STEPS, below FREQUENCY_SPAN/FREQUENCY_STEPS. */
const FREQUENCY_STEPS = 16;
const FREQUENCY_SPAN = 128;
const STAT_KEYS = new Set(['n', 'q', 'w', 't', 'last', 'gn', 'gm', 'gv', 'qn', 'brand', 'category', 'p', 'lo', 'f']);

const F_BRAND = 1;
const F_CATEGORY = 2;
const F_PRICE = 4;
const F_GAPS = 8;
const F_LAST = 16;
const F_QN = 32; // qn differs from n
const F_GN = 64; // gn differs from n - 1 (one gap between each two purchases)

function extraFields(obj: object, known: Set<string>): Record<string, unknown> | null {
  let extra: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(obj)) {
    if (!known.has(k) && v !== undefined) setEntry((extra ??= keyedRecord()), k, v);
  }
  return extra;
}

function sharedPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // Never split a surrogate pair.
  if (i > 0 && i < a.length && a.charCodeAt(i - 1) >= 0xd800 && a.charCodeAt(i - 1) <= 0xdbff) i--;
  return i;
}

/** Equal-length numeric ids (SKUs, EANs) end up in numeric order, so their deltas are small. */
function byLengthThenText(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const TRAILING_NUMBER = /^(.*?)([1-9][0-9]{0,14}|0)$/;

/**
 * Ids one after another: an id whose trailing number follows one with the same head is written as
 * the difference of the numbers (`sku-104522` after `sku-104233`: 2 bytes); any other id as the
 * length of the prefix it shares with the previous id plus the rest.
 */
function writeIds(w: Writer, ids: string[]): void {
  let previous = '';
  let previousHead: string | null = null;
  let previousNumber = 0;
  for (const id of ids) {
    const m = TRAILING_NUMBER.exec(id);
    const head = m ? m[1]! : null;
    const number = m ? Number(m[2]) : 0;
    if (head !== null && head === previousHead) {
      const delta = number - previousNumber;
      w.uint((delta >= 0 ? delta * 2 : -delta * 2 - 1) * 2 + 1);
    } else {
      const shared = sharedPrefix(previous, id);
      w.uint(shared * 2);
      w.str(id.slice(shared));
    }
    previous = id;
    previousHead = head;
    previousNumber = number;
  }
}

function readIds(r: Reader, count: number): string[] {
  const ids: string[] = [];
  let previous = '';
  let previousHead: string | null = null;
  let previousNumber = 0;
  for (let i = 0; i < count; i++) {
    const tag = r.uint();
    let id: string;
    if (tag % 2 === 1) {
      const z = (tag - 1) / 2;
      const number = previousNumber + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
      id = `${previousHead ?? ''}${number}`;
    } else {
      id = previous.slice(0, tag / 2) + r.str();
    }
    const m = TRAILING_NUMBER.exec(id);
    previousHead = m ? m[1]! : null;
    previousNumber = m ? Number(m[2]) : 0;
    previous = id;
    ids.push(id);
  }
  return ids;
}

export function encodeProfile(profile: ShopperProfile): Buffer {
  const base = Math.floor(profile.updatedAt / TIME_UNIT);
  const minutes = (t: number) => Math.floor(t / TIME_UNIT) - base;
  const strings = new Map<string, number>();
  const intern = (s: string) => {
    let i = strings.get(s);
    if (i === undefined) strings.set(s, (i = strings.size));
    return i;
  };
  const ids = Object.keys(profile.products).sort(byLengthThenText);
  for (const map of [profile.brands, profile.categories, profile.tags, profile.dietaryCounts]) for (const k in map) intern(k);
  for (const id of ids) {
    const s = profile.products[id]!;
    if (s.brand !== undefined) intern(s.brand);
    if (s.category !== undefined) intern(s.category);
  }

  const w = new Writer();
  w.uint(base);
  w.num(profile.orders);
  w.num(profile.signals);
  w.int(minutes(profile.firstAt));
  w.num(profile.dietaryBase);
  w.num(profile.basketN);
  w.num(profile.basketMean);
  w.uint(strings.size);
  for (const s of strings.keys()) w.str(s);
  // Column by column (all ids, then all flags, then all counts...): similar bytes sit together,
  // which is what makes deflate pay off on a body this small.
  const affinities = (map: Record<string, Affinity>) => {
    const keys = Object.keys(map);
    w.uint(keys.length);
    for (const k of keys) w.uint(strings.get(k)!);
    for (const k of keys) w.half(map[k]!.w);
    for (const k of keys) w.int(minutes(map[k]!.t));
  };
  affinities(profile.brands);
  affinities(profile.categories);
  affinities(profile.tags);
  const dietary = Object.keys(profile.dietaryCounts);
  w.uint(dietary.length);
  for (const k of dietary) {
    w.uint(strings.get(k)!);
    w.num(profile.dietaryCounts[k]!);
  }

  w.uint(ids.length);
  writeIds(w, ids);
  const stats = ids.map((id) => profile.products[id]!);
  const flags = stats.map(
    (s) =>
      (s.brand !== undefined ? F_BRAND : 0) |
      (s.category !== undefined ? F_CATEGORY : 0) |
      (s.p !== undefined ? F_PRICE : 0) |
      (s.gn !== 0 || s.gm !== 0 || s.gv !== 0 ? F_GAPS : 0) |
      (s.last !== 0 ? F_LAST : 0) |
      (s.qn !== s.n ? F_QN : 0) |
      (s.gn !== s.n - 1 ? F_GN : 0),
  );
  const each = (flag: number, write: (s: ProductStat) => void) => stats.forEach((s, i) => (flag === 0 || flags[i]! & flag ? write(s) : undefined));
  for (const f of flags) w.byte(f);
  each(0, (s) => w.num(s.n));
  each(0, (s) => w.num(s.q));
  each(0, (s) => w.half(s.w));
  each(0, (s) => w.int(minutes(s.t)));
  each(F_LAST, (s) => w.int(minutes(s.t) - minutes(s.last)));
  each(F_QN, (s) => w.num(s.qn));
  stats.forEach((s, i) => (flags[i]! & F_GAPS && flags[i]! & F_GN ? w.num(s.gn) : undefined));
  // Mean gap to a quarter day (1 byte up to 32 days); M2 via its square root to 1/8 (1 byte up
  // to sqrt 16): a reorder reminder is about days, and these are the two biggest columns.
  each(F_GAPS, (s) => w.uint(Math.round(Math.max(0, s.gm) * 4)));
  each(F_GAPS, (s) => w.uint(Math.round(Math.sqrt(Math.max(0, s.gv)) * 8)));
  each(F_BRAND, (s) => w.uint(strings.get(s.brand!)!));
  each(F_CATEGORY, (s) => w.uint(strings.get(s.category!)!));
  each(F_PRICE, (s) => w.int(Math.round(s.p! * 100)));
  // One column for the next-basket model: orders since the last purchase and the order-decayed
  // frequency (to 1/16, at most 1/(1 - ORDER_DECAY) < 7) in one varint, 1 + since × 128 + f × 16:
  // one or two bytes a product, which keeps a typical profile within 1 KB in Redis. 0 = not kept.
  const kept = (s: ProductStat) => s.lo !== undefined && s.f !== undefined;
  // Format 1 when no product has them: a store without a model pays nothing for the column.
  const orderColumns = stats.some(kept);
  if (orderColumns) each(0, (s) => w.uint(kept(s) ? 1 + Math.max(0, Math.round(profile.orders - s.lo!)) * FREQUENCY_SPAN + Math.min(FREQUENCY_SPAN - 1, Math.round(s.f! * FREQUENCY_STEPS)) : 0));
  const statExtras = keyedRecord<Record<string, unknown>>();
  ids.forEach((id, i) => {
    const extra = extraFields(stats[i]!, STAT_KEYS);
    if (extra) setEntry(statExtras, id, extra);
  });
  const profileExtra = extraFields(profile, PROFILE_KEYS);
  const hasStatExtras = Object.keys(statExtras).length > 0;
  w.str(profileExtra || hasStatExtras ? JSON.stringify({ p: profileExtra ?? undefined, s: hasStatExtras ? statExtras : undefined }) : '');

  const plain = w.bytes();
  const deflated = deflateRawSync(plain, { level: 6 });
  // Its own exact-size memory: a slice of Node's shared 8 KB pool would keep the whole slab alive.
  const out = Buffer.allocUnsafeSlow(1 + Math.min(plain.length, deflated.length));
  if (deflated.length < plain.length) {
    out[0] = orderColumns ? FORMAT_DEFLATED_2 : FORMAT_DEFLATED;
    deflated.copy(out, 1);
  } else {
    out[0] = orderColumns ? FORMAT_PLAIN_2 : FORMAT_PLAIN;
    plain.copy(out, 1);
  }
  return out;
}

export function decodeProfile(bytes: Buffer): ShopperProfile {
  const format = bytes[0];
  if (format !== FORMAT_PLAIN && format !== FORMAT_DEFLATED && format !== FORMAT_PLAIN_2 && format !== FORMAT_DEFLATED_2) throw new Error(`profile codec: unknown format ${String(format)}`);
  const body = format === FORMAT_DEFLATED || format === FORMAT_DEFLATED_2 ? inflateRawSync(bytes.subarray(1)) : bytes.subarray(1);
  const orderColumns = format === FORMAT_PLAIN_2 || format === FORMAT_DEFLATED_2;
  const r = new Reader(body);
  const base = r.uint();
  const time = (m: number) => (base + m) * TIME_UNIT;
  const profile: ShopperProfile = {
    v: 1,
    orders: r.num(),
    signals: r.num(),
    firstAt: time(r.int()),
    updatedAt: base * TIME_UNIT,
    products: keyedRecord(),
    brands: keyedRecord(),
    categories: keyedRecord(),
    tags: keyedRecord(),
    dietaryCounts: keyedRecord(),
    dietaryBase: r.num(),
    basketN: r.num(),
    basketMean: r.num(),
  };
  const strings: string[] = [];
  for (let i = r.uint(); i > 0; i--) strings.push(r.str());
  const str = (i: number) => strings[i] ?? '';
  const affinities = (map: Record<string, Affinity>) => {
    const keys: string[] = [];
    for (let i = r.uint(); i > 0; i--) keys.push(str(r.uint()));
    const ws = keys.map(() => r.half());
    keys.forEach((k, i) => setEntry(map, k, { w: ws[i]!, t: time(r.int()) }));
  };
  affinities(profile.brands);
  affinities(profile.categories);
  affinities(profile.tags);
  for (let i = r.uint(); i > 0; i--) {
    setEntry(profile.dietaryCounts, str(r.uint()), r.num());
  }
  const ids = readIds(r, r.uint());
  const flags = ids.map(() => r.uint());
  const stats: ProductStat[] = ids.map(() => ({ n: 0, q: 0, w: 0, t: 0, last: 0, gn: 0, gm: 0, gv: 0, qn: 0 }));
  const each = (flag: number, read: (s: ProductStat) => void) => stats.forEach((s, i) => (flag === 0 || flags[i]! & flag ? read(s) : undefined));
  each(0, (s) => (s.qn = s.n = r.num()));
  each(0, (s) => (s.q = r.num()));
  each(0, (s) => (s.w = r.half()));
  const units: number[] = [];
  each(0, (s) => {
    const u = r.int();
    units.push(u);
    s.t = time(u);
  });
  stats.forEach((s, i) => {
    if (flags[i]! & F_LAST) s.last = time(units[i]! - r.int());
  });
  each(F_QN, (s) => (s.qn = r.num()));
  stats.forEach((s, i) => {
    if (flags[i]! & F_GAPS) s.gn = flags[i]! & F_GN ? r.num() : s.n - 1;
  });
  each(F_GAPS, (s) => (s.gm = r.uint() / 4));
  each(F_GAPS, (s) => (s.gv = (r.uint() / 8) ** 2));
  each(F_BRAND, (s) => (s.brand = str(r.uint())));
  each(F_CATEGORY, (s) => (s.category = str(r.uint())));
  each(F_PRICE, (s) => (s.p = r.int() / 100));
  if (orderColumns) {
    each(0, (s) => {
      const column = r.uint();
      if (column === 0) return;
      s.lo = profile.orders - Math.floor((column - 1) / FREQUENCY_SPAN);
      s.f = ((column - 1) % FREQUENCY_SPAN) / FREQUENCY_STEPS;
    });
  }
  ids.forEach((id, i) => setEntry(profile.products, id, stats[i]!));
  const extras = r.str();
  if (extras) {
    const parsed = JSON.parse(extras) as { p?: Record<string, unknown>; s?: Record<string, Record<string, unknown>> };
    if (parsed.p) assignOwn(profile, parsed.p);
    for (const [id, extra] of Object.entries(parsed.s ?? {})) {
      const stat = Object.hasOwn(profile.products, id) ? profile.products[id] : undefined;
      if (stat && extra && typeof extra === 'object') assignOwn(stat, extra);
    }
  }
  return profile;
}

/** Copies fields the codec does not know as own properties (Object.assign would run `__proto__`'s setter). */
function assignOwn(target: object, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) setEntry(target as Record<string, unknown>, key, source[key]);
}

/** Settings and session are small and short-lived: plain JSON. */
export function encodeSettings(settings: ShopperSettings): string {
  return JSON.stringify(settings);
}

export function decodeSettings(text: string): ShopperSettings {
  const settings = JSON.parse(text) as ShopperSettings;
  // Feature switches are looked up by name: kept on a prototype-free object, booleans only.
  if (settings !== null && typeof settings === 'object' && settings.features !== null && typeof settings.features === 'object') {
    settings.features = keyedCopy(settings.features, (on) => (typeof on === 'boolean' ? on : undefined));
  }
  return settings;
}

export function encodeSession(session: SessionContext): string {
  return JSON.stringify(session);
}

export function decodeSession(text: string): SessionContext {
  return JSON.parse(text) as SessionContext;
}
