import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

// A small, strict stand-in for `kustomize build`, so the tests can check the objects an overlay
// really produces without a kustomize binary (none can be downloaded here). It supports exactly
// the features deploy/kubernetes uses — resources (files and directories), strategic-merge
// `patches` by path, and `images` — and throws on anything else, so a kustomization that starts
// using another feature fails the tests instead of being rendered wrongly.

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
};

const SUPPORTED_KEYS = new Set(['apiVersion', 'kind', 'resources', 'patches', 'images']);

/**
 * The list merge keys of Kubernetes' strategic merge patch for the fields these manifests use.
 * Lists not named here are replaced whole, as kustomize does for lists without a merge key.
 * `ports` merges by containerPort in a container and by port in a Service.
 */
const MERGE_KEYS: Record<string, (item: Record<string, unknown>) => string> = {
  containers: () => 'name',
  initContainers: () => 'name',
  env: () => 'name',
  volumes: () => 'name',
  imagePullSecrets: () => 'name',
  volumeMounts: () => 'mountPath',
  ports: (item) => ('containerPort' in item ? 'containerPort' : 'port'),
};

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  patches?: { path?: string; target?: unknown; patch?: string }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

export function readYamlObjects(file: string): Record<string, unknown>[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  return docs.flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return [];
    if (!isRecord(value)) throw new Error(`${file}: a document is not a mapping`);
    return [value];
  });
}

export function readKustomization(dir: string): Kustomization {
  const [doc, ...rest] = readYamlObjects(join(dir, 'kustomization.yaml'));
  if (!doc || rest.length > 0) throw new Error(`${dir}/kustomization.yaml: expected one document`);
  for (const key of Object.keys(doc)) {
    if (!SUPPORTED_KEYS.has(key)) throw new Error(`${dir}/kustomization.yaml: "${key}" is not supported by the test renderer`);
  }
  return doc as Kustomization;
}

/** Render a kustomization directory into its list of objects. */
export function renderKustomization(dir: string): KubeObject[] {
  const k = readKustomization(dir);
  const objects: KubeObject[] = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...readYamlObjects(path).map((o) => asKubeObject(o, path)));
  }
  for (const patch of k.patches ?? []) {
    if (!patch.path || patch.target !== undefined || patch.patch !== undefined) {
      throw new Error(`${dir}: only file patches without target are supported`);
    }
    for (const p of readYamlObjects(resolve(dir, patch.path))) {
      const target = asKubeObject(p, patch.path);
      const index = objects.findIndex(
        (o) => o.apiVersion === target.apiVersion && o.kind === target.kind && o.metadata.name === target.metadata.name,
      );
      if (index < 0) throw new Error(`${dir}/${patch.path}: no ${target.kind}/${target.metadata.name} to patch`);
      objects[index] = strategicMerge(objects[index], target, '') as KubeObject;
    }
  }
  for (const image of k.images ?? []) {
    for (const o of objects) setImages(o, image);
  }
  return objects;
}

function asKubeObject(value: Record<string, unknown>, file: string): KubeObject {
  const meta = value.metadata;
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !isRecord(meta) || typeof meta.name !== 'string') {
    throw new Error(`${file}: every object needs apiVersion, kind and metadata.name`);
  }
  return value as KubeObject;
}

export function strategicMerge(base: unknown, patch: unknown, field: string): unknown {
  if (isRecord(patch) && '$patch' in patch) throw new Error('$patch directives are not supported by the test renderer');
  if (isRecord(base) && isRecord(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in base ? strategicMerge(base[key], value, key) : value;
    }
    return out;
  }
  const keyOf = MERGE_KEYS[field];
  if (Array.isArray(base) && Array.isArray(patch) && keyOf && patch.every(isRecord) && base.every(isRecord)) {
    const out = [...base];
    for (const item of patch) {
      const key = keyOf(item);
      const at = out.findIndex((b) => b[key] === item[key]);
      if (at >= 0) out[at] = strategicMerge(out[at], item, '') as Record<string, unknown>;
      else out.push(item);
    }
    return out;
  }
  return patch;
}

function setImages(o: KubeObject, image: NonNullable<Kustomization['images']>[number]): void {
  const podSpec = getPodSpec(o);
  if (!podSpec) return;
  for (const list of [podSpec.containers, podSpec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list as Record<string, unknown>[]) {
      if (typeof c.image !== 'string' || imageName(c.image) !== image.name) continue;
      const name = image.newName ?? image.name;
      if (image.digest) c.image = `${name}@${image.digest}`;
      else c.image = `${name}:${image.newTag ?? imageTag(c.image) ?? 'latest'}`;
    }
  }
}

/** `repo/name:tag@digest` → `repo/name` (a registry port's colon is kept). */
function imageName(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

function imageTag(ref: string): string | undefined {
  const name = imageName(ref);
  const rest = (ref.split('@')[0] ?? ref).slice(name.length);
  return rest.startsWith(':') ? rest.slice(1) : undefined;
}

export function getPodSpec(o: KubeObject): Record<string, unknown> | undefined {
  const spec = o.spec;
  if (!isRecord(spec) || !isRecord(spec.template) || !isRecord(spec.template.spec)) return undefined;
  return spec.template.spec;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every directory under root (root included) that holds a kustomization.yaml. */
export function findKustomizationDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'kustomization.yaml')) found.push(dir);
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
  return found.sort();
}
