import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createRouteMatcher } from '../../src/proxy/route-matcher.js';
import { validateKubeObject } from './kube-model.js';
import {
  findKustomizationDirs,
  getPodSpec,
  isRecord,
  readKustomization,
  readYamlObjects,
  renderKustomization,
  type KubeObject,
} from './render-kustomization.js';

const ROOT = resolve(import.meta.dirname, '../../deploy/kubernetes');
const DIRS = findKustomizationDirs(ROOT);
const BASE = join(ROOT, 'base');
const ES_OVERLAY = join(ROOT, 'overlays/elasticsearch');

/** Allowance for the backend's own drain after SIGTERM (deployment.yaml's comment uses it). */
const BACKEND_DRAIN_SECONDS = 10;

type Container = {
  name: string;
  image?: string;
  restartPolicy?: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
};
type Probe = { httpGet?: { path: string; port: number | string } };
type PodSpec = {
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string } }[];
  terminationGracePeriodSeconds?: number;
};

function only<T>(items: T[], what: string): T {
  expect(items, what).toHaveLength(1);
  return items[0]!;
}

function pod(objects: KubeObject[]): { deployment: KubeObject; spec: PodSpec; labels: Record<string, string> } {
  const deployment = only(objects.filter((o) => o.kind === 'Deployment'), 'one Deployment');
  const spec = getPodSpec(deployment) as PodSpec;
  const template = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
  return { deployment, spec, labels: template.metadata.labels };
}

function sidecart(spec: PodSpec): Container {
  return only((spec.initContainers ?? []).filter((c) => c.name === 'sidecart'), 'sidecart initContainer');
}

function backend(spec: PodSpec): Container {
  return only(spec.containers, 'one main container (the search backend)');
}

function env(c: Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}

function portNumber(c: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  const found = c.ports?.find((p) => p.name === port);
  if (!found) throw new Error(`container ${c.name} has no port named ${port}`);
  return found.containerPort;
}

function matches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector) || !isRecord(selector.matchLabels)) return false;
  const wanted = Object.entries(selector.matchLabels);
  return wanted.length > 0 && wanted.every(([k, v]) => labels[k] === v);
}

/** The sidecart config file the pod really reads: the ConfigMap key SIDECART_CONFIG names. */
function mountedConfig(objects: KubeObject[], spec: PodSpec): { text: string; mountSubPath?: string } {
  const c = sidecart(spec);
  const file = env(c, 'SIDECART_CONFIG');
  expect(file, 'SIDECART_CONFIG is set').toBeTruthy();
  const mount = only((c.volumeMounts ?? []).filter((m) => file!.startsWith(`${m.mountPath}/`)), 'a mount holding SIDECART_CONFIG');
  const volume = only((spec.volumes ?? []).filter((v) => v.name === mount.name), 'the config volume');
  expect(volume.configMap, 'the config volume is a ConfigMap').toBeDefined();
  const configMap = only(
    objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap!.name),
    `ConfigMap ${volume.configMap!.name}`,
  );
  const key = file!.slice(mount.mountPath.length + 1);
  const text = (configMap.data as Record<string, string> | undefined)?.[key];
  if (text === undefined) throw new Error(`ConfigMap ${configMap.metadata.name} has no key ${key}`);
  return { text, mountSubPath: mount.subPath };
}

describe('deploy/kubernetes', () => {
  it('has the base and the Elasticsearch overlay', () => {
    expect(DIRS.map((d) => relative(ROOT, d))).toEqual(expect.arrayContaining(['base', 'overlays/elasticsearch']));
  });

  it('the schema validation rejects a broken object (the check can fail)', () => {
    const [deployment] = renderKustomization(BASE).filter((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment!);
    (getPodSpec(broken) as PodSpec).containers[0]!.ports![0]!.containerPort = 'ninety-two hundred' as unknown as number;
    expect(() => validateKubeObject(broken)).toThrow(/containerPort/);
  });

  describe.each(DIRS.map((d) => [relative(ROOT, d), d]))('%s', (_name, dir) => {
    it('kustomization lists every YAML file in its directory, and each one exists', () => {
      const k = readKustomization(dir);
      const listed = [...(k.resources ?? []), ...(k.patches ?? []).map((p) => p.path ?? '')];
      for (const entry of listed) expect(existsSync(resolve(dir, entry)), `${entry} exists`).toBe(true);
      const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
      expect(files.filter((f) => !listed.includes(f)), 'files the kustomization does not list').toEqual([]);
    });

    it('every object in its own files validates against the Kubernetes schemas', () => {
      const k = readKustomization(dir);
      for (const entry of k.resources ?? []) {
        const path = resolve(dir, entry);
        if (existsSync(join(path, 'kustomization.yaml'))) continue;
        for (const o of readYamlObjects(path)) validateKubeObject(o as KubeObject);
      }
    });

    const objects = renderKustomization(dir);

    it('every rendered object validates against the Kubernetes schemas', () => {
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) expect(() => validateKubeObject(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    });

    it('runs sidecart as a native sidecar in front of one backend container', () => {
      const { spec } = pod(objects);
      expect(sidecart(spec).restartPolicy).toBe('Always');
      expect(spec.containers.map((c) => c.name)).not.toContain('sidecart');
      expect(backend(spec).image).toBeTruthy();
    });

    it('probes sidecart on its ops port: startup and liveness /healthz, readiness /readyz', () => {
      const { spec } = pod(objects);
      const c = sidecart(spec);
      const opsPort = Number(env(c, 'SIDECART_OPS_PORT'));
      expect(opsPort).toBe(8081);
      const probes = { startupProbe: '/healthz', livenessProbe: '/healthz', readinessProbe: '/readyz' } as const;
      for (const [probe, path] of Object.entries(probes)) {
        const get = c[probe as keyof typeof probes]?.httpGet;
        expect(get?.path, probe).toBe(path);
        expect(portNumber(c, get!.port), `${probe} port`).toBe(opsPort);
      }
    });

    it('mounts the ConfigMap as a directory (no subPath) and the file in it is a valid sidecart config', () => {
      const { spec } = pod(objects);
      const { text, mountSubPath } = mountedConfig(objects, spec);
      expect(mountSubPath).toBeUndefined();
      expect(() => parseConfig(text, 'ConfigMap', {})).not.toThrow();
    });

    it('gives a grace period that covers both preStop sleeps and both drains', () => {
      const { spec } = pod(objects);
      const sidecartSleep = sidecart(spec).lifecycle?.preStop?.sleep?.seconds;
      const backendSleep = backend(spec).lifecycle?.preStop?.sleep?.seconds;
      expect(sidecartSleep).toBeGreaterThan(0);
      expect(backendSleep).toBeGreaterThan(0);
      const { server } = parseConfig(mountedConfig(objects, spec).text, 'ConfigMap', {});
      // src/app.ts shutdown(): drain delay, then in-flight requests up to shutdownGraceMs, then
      // the replay-journal flush to Redis up to max(1 s, shutdownGraceMs / 2).
      const flushMs = Math.max(1000, server.shutdownGraceMs / 2);
      const sidecartDrain = Math.ceil((server.drainDelayMs + server.shutdownGraceMs + flushMs) / 1000);
      const needed = backendSleep! + BACKEND_DRAIN_SECONDS + sidecartSleep! + sidecartDrain;
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needed);
    });

    it('locks both containers down and gives sidecart requests and limits', () => {
      const { spec } = pod(objects);
      const c = sidecart(spec);
      expect(c.resources?.requests?.cpu && c.resources.requests.memory).toBeTruthy();
      expect(c.resources?.limits?.memory).toBeTruthy();
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      for (const container of [c, backend(spec)]) {
        expect(container.securityContext?.runAsNonRoot, container.name).toBe(true);
        expect(container.securityContext?.allowPrivilegeEscalation, container.name).toBe(false);
        expect(container.securityContext?.capabilities?.drop, container.name).toEqual(['ALL']);
        expect(container.resources?.limits?.memory, container.name).toBeTruthy();
      }
    });

    it('points the Service at sidecart traffic port and the PodMonitor at its ops port', () => {
      const { spec, labels } = pod(objects);
      const c = sidecart(spec);
      const service = only(objects.filter((o) => o.kind === 'Service'), 'one Service');
      const ports = (service.spec as { ports: { targetPort: number | string }[] }).ports;
      for (const p of ports) expect(portNumber(c, p.targetPort)).toBe(Number(env(c, 'SIDECART_PORT')));
      expect(matches({ matchLabels: (service.spec as { selector: unknown }).selector }, labels)).toBe(true);

      const monitor = only(objects.filter((o) => o.kind === 'PodMonitor'), 'one PodMonitor');
      const mspec = monitor.spec as { selector: unknown; podMetricsEndpoints: { port: string; path: string }[] };
      expect(matches(mspec.selector, labels)).toBe(true);
      const endpoint = only(mspec.podMetricsEndpoints, 'one metrics endpoint');
      expect(endpoint.path).toBe('/metrics');
      expect(portNumber(c, endpoint.port)).toBe(Number(env(c, 'SIDECART_OPS_PORT')));
    });

    it('protects the pods with a PodDisruptionBudget and a NetworkPolicy that select them', () => {
      const { labels, deployment } = pod(objects);
      const pdb = only(objects.filter((o) => o.kind === 'PodDisruptionBudget'), 'one PDB');
      expect(matches((pdb.spec as { selector: unknown }).selector, labels)).toBe(true);
      expect((deployment.spec as { replicas: number }).replicas).toBeGreaterThan(1);
      const policy = only(objects.filter((o) => o.kind === 'NetworkPolicy'), 'one NetworkPolicy');
      const pspec = policy.spec as { podSelector: unknown; ingress: { ports: { port: string | number }[] }[] };
      expect(matches(pspec.podSelector, labels)).toBe(true);
      const open = pspec.ingress.flatMap((rule) => rule.ports.map((p) => p.port));
      expect(open.sort()).toEqual(['http', 'ops']);
    });
  });

  describe('overlays/elasticsearch', () => {
    const objects = renderKustomization(ES_OVERLAY);
    const { spec } = pod(objects);

    it('puts Elasticsearch behind sidecart on 127.0.0.1:9200', () => {
      expect(backend(spec).image).toMatch(/^docker\.elastic\.co\/elasticsearch\/elasticsearch:\d+\.\d+\.\d+$/);
      expect(backend(spec).ports?.map((p) => p.containerPort)).toEqual([9200]);
      expect(env(sidecart(spec), 'SIDECART_UPSTREAM_URL')).toBe('http://127.0.0.1:9200');
      expect(sidecart(spec).image).toMatch(/sidecart:/);
    });

    it('reads the Redis URL from a Secret the overlay ships', () => {
      const c = sidecart(spec);
      const ref = c.env?.find((e) => e.name === 'SIDECART_REDIS_URL')?.valueFrom?.secretKeyRef;
      expect(ref).toBeDefined();
      const secret = only(objects.filter((o) => o.kind === 'Secret' && o.metadata.name === ref!.name), 'the Redis Secret');
      const data = { ...(secret.stringData as object | undefined), ...(secret.data as object | undefined) };
      expect(Object.keys(data)).toContain(ref!.key);
      const names = (c.env ?? []).map((e) => e.name);
      expect(new Set(names).size, 'no env var twice after the patch').toBe(names.length);
    });

    it('personalizes the Elasticsearch search routes', () => {
      const config = parseConfig(mountedConfig(objects, spec).text, 'ConfigMap', {});
      const es = config.routes.filter((r) => r.adapter === 'elasticsearch').map((r) => r.path);
      expect(es).toEqual(expect.arrayContaining(['/:index/_search', '/_search']));
      expect(config.routes.every((r) => r.adapter === 'elasticsearch')).toBe(true);
      const routes = createRouteMatcher(config.routes);
      expect(routes.match('/products/_search')?.adapter).toBe('elasticsearch');
      expect(routes.match('/_search')?.adapter).toBe('elasticsearch');
      // indexing and document reads stream through untouched
      expect(routes.match('/products/_doc/42')).toBeNull();
      expect(routes.match('/products/_bulk')).toBeNull();
    });
  });
});
