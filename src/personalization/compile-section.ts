import type { HitView } from './hit-view.js';
import type { FeatureName } from '../config/schema.js';
import type { ComplementaryCandidate } from './complementary.js';
import type { ActivePreference } from './dietary.js';
import type { ExplainEntry } from './explain.js';
import type { HouseholdEstimate } from './household.js';
import { formatPack, parsePackSize, usualAmount, type PackSize } from './pack-size.js';
import type { ReorderCandidate } from './reorder.js';
import type { ComplementaryItem, PersonalizationSection, PreferenceNote, ReorderItem, UsualItem } from './section-types.js';
import type { UsualCandidate } from './usual.js';

// Turns what the engine did into the section the shopper sees: every badge and every entry of
// `applied` corresponds to something that actually happened to this response.

export interface SectionFacts {
  features: FeatureName[];
  confidence: number;
  reordered: boolean;
  dietaryTouched: boolean;
  removed: number;
  usual: UsualCandidate[];
  reorder: ReorderCandidate[];
  preferences: ActivePreference[];
  quantityMemory: boolean;
  /** Ranking signals beyond affinities that had something to say on this page. */
  rankingSignals?: string[];
  household?: HouseholdEstimate | null;
  /** Present when the complementary feature is on. */
  complementary?: ComplementaryCandidate[];
  explain?: ExplainEntry[];
}

// Values that repeat search after search, computed once: dates of usual items (Date#toISOString
// was ~10% of compiling a section) and pack sizes read from product names (three regexes each).
// Bounded: a full memo starts over.
const MEMO_MAX = 4_096;
function remembered<K, V>(memo: Map<K, V>, key: K, compute: (key: K) => V): V {
  let value = memo.get(key);
  if (value === undefined) {
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, (value = compute(key)));
  }
  return value;
}

const isoMemo = new Map<number, string>();
const iso = (t: number): string => (Number.isFinite(t) && t > 0 ? remembered(isoMemo, t, (at) => new Date(at).toISOString()) : '');

function namesOf(hits: readonly HitView[], ids: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  if (ids.length === 0) return names;
  const wanted = new Set(ids);
  for (const hit of hits) if (hit.name && wanted.has(hit.id)) names.set(hit.id, hit.name);
  return names;
}

/** Quantity memory per pack size: the product's pack (from its name) and the usual amount in it. */
function addPack(item: UsualItem | ReorderItem, name: string): void {
  const pack = packOf(name);
  if (!pack) return;
  item.packSize = pack.text;
  item.usualAmount = usualAmount(pack.size, item.usualQuantity);
}

const packMemo = new Map<string, { size: PackSize; text: string } | null>();
function packOf(name: string): { size: PackSize; text: string } | null {
  return remembered(packMemo, name, (text) => {
    const size = parsePackSize(text);
    return size ? { size, text: formatPack(size) } : null;
  });
}

function usualBase(u: UsualCandidate, quantityMemory: boolean): UsualItem {
  const item: UsualItem = { id: u.id, usualQuantity: u.usualQuantity, timesBought: u.timesBought, lastBought: iso(u.lastBought), frequency: u.frequency };
  if (quantityMemory) item.quantityConsistency = u.quantityConsistency;
  return item;
}

function reorderBase(r: ReorderCandidate, quantityMemory: boolean): ReorderItem {
  const item: ReorderItem = { id: r.id, usualQuantity: r.usualQuantity, daysUntilDue: r.daysUntilDue, cycleDays: r.cycleDays, urgency: r.urgency, regularity: r.regularity };
  if (quantityMemory) item.quantityConsistency = r.quantityConsistency;
  if (r.fromHousehold) item.cycleSource = 'household';
  return item;
}

// A hot shopper's usual and reorder candidates are the same objects search after search (the
// profile view keeps them), so is their section entry without the page's name: built once per
// candidate and shared (sections are only read and serialized). With a name on this page the
// entry is a copy with the name and pack added.
const usualBases = new WeakMap<UsualCandidate, [UsualItem | undefined, UsualItem | undefined]>();
const reorderBases = new WeakMap<ReorderCandidate, [ReorderItem | undefined, ReorderItem | undefined]>();
function cachedBase<C extends object, I>(cache: WeakMap<C, [I | undefined, I | undefined]>, candidate: C, quantityMemory: boolean, build: (c: C, q: boolean) => I): I {
  let pair = cache.get(candidate);
  if (!pair) cache.set(candidate, (pair = [undefined, undefined]));
  const slot = quantityMemory ? 1 : 0;
  return (pair[slot] ??= Object.freeze(build(candidate, quantityMemory)));
}

// The entries with this page's name (and pack) are shared the same way, per entry and name: a
// shopper's products carry the same names search after search. Shared entries are frozen, which
// also lets the splice keep their JSON (adapters/section-json.ts).
const namedEntries = new WeakMap<object, Map<string, object>>();
function named<I extends UsualItem | ReorderItem>(base: I, name: string, quantityMemory: boolean): I {
  let byName = namedEntries.get(base);
  if (!byName) namedEntries.set(base, (byName = new Map()));
  let item = byName.get(name) as I | undefined;
  if (!item) {
    if (byName.size >= 8) byName.clear();
    item = { ...base, name };
    if (quantityMemory) addPack(item, name);
    byName.set(name, Object.freeze(item));
  }
  return item;
}

const preferenceNotes = new WeakMap<ActivePreference, PreferenceNote>();
const preferenceNote = (p: ActivePreference): PreferenceNote => {
  let note = preferenceNotes.get(p);
  if (!note) preferenceNotes.set(p, (note = Object.freeze({ name: p.name, source: p.source, confidence: p.confidence })));
  return note;
};

const complementaryEntries = new WeakMap<ComplementaryCandidate, Map<string, ComplementaryItem>>();
function complementaryEntry(c: ComplementaryCandidate, anchor: string): ComplementaryItem {
  let byAnchor = complementaryEntries.get(c);
  if (!byAnchor) complementaryEntries.set(c, (byAnchor = new Map()));
  let entry = byAnchor.get(anchor);
  if (!entry) {
    if (byAnchor.size >= 8) byAnchor.clear();
    entry = Object.freeze({ id: c.id, reason: c.source === 'store' ? `often bought with ${anchor}` : `bought with ${anchor} last time` });
    byAnchor.set(anchor, entry);
  }
  return entry;
}

// A list whose entries are the ones the previous search of the same source list got is that
// list again (frozen), so the whole list's JSON is kept too. Keyed by the list the entries came
// from (the view's usual or reorder list, the preferences, the first suggestion).
const sharedLists = new WeakMap<object, [readonly object[] | undefined, readonly object[] | undefined]>();
function sharedList<T extends object>(source: object | undefined, slot: 0 | 1, items: T[]): T[] {
  if (!source || items.length === 0) return items;
  let pair = sharedLists.get(source);
  if (!pair) sharedLists.set(source, (pair = [undefined, undefined]));
  const last = pair[slot];
  if (last && last.length === items.length && last.every((item, i) => item === items[i])) return last as T[];
  pair[slot] = Object.freeze(items);
  return items;
}

export function compileSection(hits: readonly HitView[], facts: SectionFacts): PersonalizationSection {
  const complementary = facts.complementary ?? [];
  const names = namesOf(hits, [...facts.usual.map((u) => u.id), ...facts.reorder.map((r) => r.id), ...complementary.map((c) => c.anchor)]);
  const slot = facts.quantityMemory ? 1 : 0;
  const usual: UsualItem[] = sharedList(facts.usual, slot, facts.usual.map((u) => {
    const base = cachedBase(usualBases, u, facts.quantityMemory, usualBase);
    const name = names.get(u.id);
    return name ? named(base, name, facts.quantityMemory) : base;
  }));
  const reorder: ReorderItem[] = sharedList(facts.reorder, slot, facts.reorder.map((r) => {
    const base = cachedBase(reorderBases, r, facts.quantityMemory, reorderBase);
    const name = names.get(r.id);
    return name ? named(base, name, facts.quantityMemory) : base;
  }));
  const applied: string[] = [];
  const badges: string[] = [];
  if (facts.reordered) {
    applied.push('smart_ranking');
    badges.push('Personalized for you');
  }
  if (facts.reordered) for (const signal of facts.rankingSignals ?? []) applied.push(signal);
  if (facts.reordered && facts.dietaryTouched) {
    applied.push('dietary');
    for (const p of facts.preferences) badges.push(`${p.name} choices first`);
  }
  if (facts.removed > 0) {
    applied.push('dietary_filter');
    badges.push(`${facts.removed} item${facts.removed === 1 ? '' : 's'} hidden by your ${facts.preferences.filter((p) => p.hard).map((p) => p.name).join(', ')} filter`);
  }
  if (usual.length > 0) {
    applied.push('usual');
    badges.push('Your usual');
  }
  if (reorder.length > 0) {
    applied.push('reorder');
    badges.push('Time to reorder');
  }
  const section: PersonalizationSection = { enabled: true, applied, features: facts.features, confidence: facts.confidence, badges, usual, reorder };
  if (facts.preferences.length > 0) {
    section.preferences = sharedList(facts.preferences, 0, facts.preferences.map(preferenceNote));
  }
  if (facts.complementary) {
    section.complementary = sharedList(complementary[0], 0, complementary.map((c) => complementaryEntry(c, names.get(c.anchor) ?? c.anchor)));
    if (complementary.length > 0) {
      if (!applied.includes('complementary')) applied.push('complementary');
      badges.push('Often bought together');
    }
  }
  if (facts.household) {
    section.household = { size: facts.household.size, confidence: facts.household.confidence };
    const adjusted = reorder.filter((r) => r.cycleSource === 'household').length;
    if (adjusted > 0) section.household.reorderAdjusted = adjusted;
    applied.push('household');
  }
  if (facts.explain) section.explain = facts.explain;
  return section;
}
