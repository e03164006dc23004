import type { GenericPaths } from '../config/schema.js';
import type { HitView, SearchAdapter, SpliceEdit } from './adapter.js';
import { algoliaAdapter } from './algolia-adapter.js';
import { elasticsearchAdapter, opensearchAdapter } from './elasticsearch-adapter.js';
import { addTags, idOf, priceOf, textOf, viewOf } from './hit-fields.js';
import { spliceList, type SpliceShape } from './hit-list.js';
import { FieldTree, OBJECT, objectHas, scanHits, type Slot } from './hit-scan.js';
import { compilePath, type JsonPath } from './json-path.js';
import { meilisearchAdapter } from './meilisearch-adapter.js';
import { solrAdapter } from './solr-adapter.js';
import { typesenseAdapter } from './typesense-adapter.js';

/**
 * What the byte scan (hit-scan.ts) reads for each adapter, and how the read values become the
 * same HitViews the adapter builds from a parsed document: each plan replays its adapter's own
 * rules (hit-fields.ts `viewOf` on the same field values), so ranking cannot tell the two apart.
 * The fuzz test (test/adapters/hit-scan-property.test.ts) holds every plan to its adapter.
 */
export interface ScanPlan {
  readonly hitsPath: JsonPath;
  readonly hit: FieldTree;
  /** The view of hit `index` from its kind (0 not an object) and the values read from it. */
  view(index: number, kind: number, slots: readonly Slot[]): HitView;
  /** Whether the adapter would take these views (Typesense: some hit has a document). */
  accepts(views: readonly HitView[], kinds: Uint8Array): boolean;
}

// The common field names hit-fields.ts reads, in one fixed order: a group of slots per object.
const COMMON = ['brand', 'brand_name', 'category', 'categories', 'department', 'tags', 'dietary', 'labels', 'price', 'name', 'title', 'product_name'] as const;

/** The common fields of one object as viewOf reads them (a missing key and an undefined value read the same). */
class Fields {
  brand: Slot;
  brand_name: Slot;
  category: Slot;
  categories: Slot;
  department: Slot;
  tags: Slot;
  dietary: Slot;
  labels: Slot;
  price: Slot;
  name: Slot;
  title: Slot;
  product_name: Slot;
  constructor(s: readonly Slot[], at: number) {
    this.brand = s[at];
    this.brand_name = s[at + 1];
    this.category = s[at + 2];
    this.categories = s[at + 3];
    this.department = s[at + 4];
    this.tags = s[at + 5];
    this.dietary = s[at + 6];
    this.labels = s[at + 7];
    this.price = s[at + 8];
    this.name = s[at + 9];
    this.title = s[at + 10];
    this.product_name = s[at + 11];
  }
}

/** Adds the common names below `prefix` (a container path, or the hit itself); the first one's slot. */
function addCommon(tree: FieldTree, prefix: string): number {
  let first = -1;
  for (const name of COMMON) {
    const slot = tree.add(compilePath(prefix === '' ? name : `${prefix}.${name}`));
    if (slot === null) throw new Error(`field tree: ${name} is a container`);
    if (first === -1) first = slot;
    else if (slot !== first + COMMON.indexOf(name)) throw new Error('field tree: common slots not consecutive');
  }
  return first;
}

function mustAdd(tree: FieldTree, path: string, container = false): number {
  const slot = tree.add(compilePath(path), container);
  if (slot === null) throw new Error(`field tree: ${path} is both a value and a container`);
  return slot;
}

const objectAt = (s: readonly Slot[], kind: number, fieldsAt: number): Fields | undefined => (kind !== 0 ? new Fields(s, fieldsAt) : undefined);
const always = (): boolean => true;

function elasticsearchPlan(): ScanPlan {
  const hit = new FieldTree();
  const id = mustAdd(hit, '_id');
  const source = mustAdd(hit, '_source', true);
  const sourceFields = addCommon(hit, '_source');
  const fields = mustAdd(hit, 'fields', true);
  const fallbackFields = addCommon(hit, 'fields');
  return {
    hitsPath: compilePath('hits.hits'),
    hit,
    view(k, kind, slots) {
      if (kind === 0) return viewOf(k, '', undefined);
      const first = slots[source] === OBJECT ? new Fields(slots, sourceFields) : undefined;
      const second = slots[fields] === OBJECT ? new Fields(slots, fallbackFields) : undefined;
      return viewOf(k, idOf(slots[id]), first, second);
    },
    accepts: always,
  };
}

/** Each hit is the product (Solr docs, Algolia and Meilisearch hits). */
function flatPlan(hitsPath: string, idField: string): ScanPlan {
  const hit = new FieldTree();
  const common = addCommon(hit, '');
  const id = mustAdd(hit, idField);
  return {
    hitsPath: compilePath(hitsPath),
    hit,
    view: (k, kind, slots) => viewOf(k, kind !== 0 ? idOf(slots[id]) : '', objectAt(slots, kind, common)),
    accepts: always,
  };
}

function typesensePlan(): ScanPlan {
  const hit = new FieldTree();
  const document = mustAdd(hit, 'document', true);
  const id = mustAdd(hit, 'document.id');
  const common = addCommon(hit, 'document');
  // Hits with a document on the page being scanned (scans are synchronous; hit 0 starts a page).
  let documents = 0;
  return {
    hitsPath: compilePath('hits'),
    hit,
    view(k, kind, slots) {
      if (k === 0) documents = 0;
      if (kind === 0 || slots[document] !== OBJECT) return viewOf(k, '', undefined);
      documents++;
      return viewOf(k, idOf(slots[id]), new Fields(slots, common));
    },
    // Hits that all lack a document are another backend's shape (as typesense-adapter.ts).
    accepts: (views) => views.length === 0 || documents > 0,
  };
}

type OptionalField = 'brand' | 'category' | 'name' | 'price';

/** As generic-adapter.ts: a configured path is authoritative, also when it finds nothing. */
function setOrDelete<K extends OptionalField>(view: HitView, field: K, value: HitView[K] | undefined): void {
  if (value === undefined) delete view[field];
  else view[field] = value;
}

/**
 * The generic adapter's configured paths. null (no fast path, the reference serves the route)
 * when a path is blocked, is the hit itself, or is both a value and a container of another path.
 */
export function genericScanPlan(paths: GenericPaths): ScanPlan | null {
  const hitsPath = compilePath(paths.hitsPath);
  if (hitsPath.blocked) return null;
  const hit = new FieldTree();
  const common = addCommon(hit, '');
  const slotOf = (source: string | undefined): number | null | undefined => {
    if (source === undefined) return undefined;
    const path = compilePath(source);
    if (path.blocked || path.segments.length === 0) return null;
    return hit.add(path);
  };
  const id = slotOf(paths.idPath);
  const brand = slotOf(paths.brandPath);
  const category = slotOf(paths.categoryPath);
  const tags = slotOf(paths.tagsPath);
  const price = slotOf(paths.pricePath);
  const name = slotOf(paths.namePath);
  if (id == null || [brand, category, tags, price, name].includes(null)) return null;
  // A numeric first segment would read into a hit that is an array; the reference serves those.
  const sources = [paths.idPath, paths.brandPath, paths.categoryPath, paths.tagsPath, paths.pricePath, paths.namePath];
  if (sources.some((source) => source !== undefined && compilePath(source).indexes[0]! >= 0)) return null;
  const anyConfigured = [brand, category, tags, price, name].some((slot) => slot !== undefined);
  return {
    hitsPath,
    hit,
    view(k, kind, slots) {
      const read = (slot: number | null | undefined): unknown => (kind !== 0 && slot != null ? slots[slot] : undefined);
      const view = viewOf(k, idOf(read(id)), objectAt(slots, kind, common));
      if (!anyConfigured) return view;
      if (brand != null) setOrDelete(view, 'brand', textOf(read(brand)));
      if (category != null) setOrDelete(view, 'category', textOf(read(category)));
      if (name != null) setOrDelete(view, 'name', textOf(read(name)));
      if (price != null) setOrDelete(view, 'price', priceOf(read(price)));
      if (tags != null) {
        view.tags = [];
        addTags(view.tags, read(tags));
      }
      return view;
    },
    accepts: always,
  };
}

const BUILT_IN = new Map<SearchAdapter, ScanPlan>([
  [elasticsearchAdapter, elasticsearchPlan()],
  [opensearchAdapter, elasticsearchPlan()],
  [solrAdapter, flatPlan('response.docs', 'id')],
  [algoliaAdapter, flatPlan('hits', 'objectID')],
  [meilisearchAdapter, flatPlan('hits', 'id')],
  [typesenseAdapter, typesensePlan()],
]);

const registered = new WeakMap<SearchAdapter, ScanPlan | null>();

/** Gives an adapter built from config (the generic one) its plan; null keeps it on the reference path. */
export function registerScanPlan(adapter: SearchAdapter, plan: ScanPlan | null): SearchAdapter {
  registered.set(adapter, plan);
  return adapter;
}

/** The adapter's scan plan; null when it has none (the reference path serves it). */
export function scanPlanOf(adapter: SearchAdapter): ScanPlan | null {
  return BUILT_IN.get(adapter) ?? registered.get(adapter) ?? null;
}

/** A page read by the scan: the hits' views, and the response spliced from the same bytes. */
export interface ScannedHits {
  hits: HitView[];
  /** As ParsedHits.splice; null when the serializer would be needed (the caller falls back). */
  splice(edit: SpliceEdit): Buffer | null;
}

// The root's keys the scan reads: the section's key (a document that has it is left to the reference).
const rootTrees = new Map<string, FieldTree>();
function rootTree(sectionKey: string): FieldTree {
  let tree = rootTrees.get(sectionKey);
  if (!tree) {
    tree = new FieldTree();
    // One key, not a dot path.
    tree.add({ source: sectionKey, segments: [sectionKey], indexes: [-1], blocked: false });
    if (rootTrees.size > 64) rootTrees.clear();
    rootTrees.set(sectionKey, tree);
  }
  return tree;
}

/**
 * The page in `bytes` read by `plan` with no JSON.parse; null ("cannot") when the scan cannot
 * vouch for it, the adapter would not match, or the document already has `sectionKey`: the
 * caller then takes the reference path, which answers those cases as it always did.
 */
export function scanPage(plan: ScanPlan, bytes: Buffer, sectionKey: string): ScannedHits | null {
  const hits: HitView[] = [];
  const list = scanHits(bytes, { hitsPath: plan.hitsPath, root: rootTree(sectionKey), hit: plan.hit, visit: (k, kind, slots) => hits.push(plan.view(k, kind, slots)) });
  if (!list || list.rootSlots[0] !== undefined || !plan.accepts(hits, list.kinds)) return null;
  const shape: SpliceShape = {
    rootIsObject: list.rootIsObject,
    rootHas: () => false,
    hitIsObject: (index) => list.kinds[index] !== 0,
    hitHas: (index, key) => objectHas(bytes, list.starts[index]!, key),
    hitIsEmpty: (index) => list.kinds[index] === 2,
  };
  return { hits, splice: (edit) => (edit.sectionKey === sectionKey ? spliceList(bytes, list, shape, edit) : null) };
}
