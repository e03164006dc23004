import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { configSchema, type SidecartConfig } from './schema.js';

/** A config that cannot start sidecart. The message names the file, each key and its bad value. */
export class ConfigError extends Error {
  readonly code = 'ECONFIG';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid config in ${file}:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The environment variables that are a contract, and the key each one sets. */
export const ENV_OVERRIDES: Record<string, { path: string[]; type: 'int' | 'string' }> = {
  SIDECART_HOST: { path: ['server', 'host'], type: 'string' },
  SIDECART_PORT: { path: ['server', 'port'], type: 'int' },
  SIDECART_OPS_PORT: { path: ['server', 'opsPort'], type: 'int' },
  SIDECART_UPSTREAM_URL: { path: ['upstream', 'url'], type: 'string' },
  SIDECART_REDIS_URL: { path: ['store', 'redis', 'url'], type: 'string' },
  SIDECART_ADMIN_TOKEN: { path: ['admin', 'token'], type: 'string' },
};

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIDECART_CONFIG) return env.SIDECART_CONFIG;
  // src/config (tsx) and dist/src/config (compiled) both sit below the package root.
  for (const relative of ['../../config/default.yaml', '../../../config/default.yaml']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  return 'config/default.yaml';
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function getPath(source: unknown, path: PropertyKey[]): unknown {
  let node = source;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key as string];
  }
  return node;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Parse YAML text (already read) plus env overrides into a validated, frozen config. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): SidecartConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(file, doc.errors.map((e) => `YAML: ${e.message}`));
  const raw = (doc.toJS() ?? {}) as unknown;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, ['the top level must be a mapping']);
  const merged = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, { path, type }] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (type === 'int') {
      if (!/^\d+$/.test(value)) {
        problems.push(`${path.join('.')} (from env ${name}): expected an integer, got ${JSON.stringify(value)}`);
        continue;
      }
      setPath(merged, path, Number(value));
    } else setPath(merged, path, value);
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((issue) => {
        const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
        const bad = getPath(merged, issue.path);
        const shown = bad === undefined ? '' : `, got ${JSON.stringify(bad)}`;
        return `${key}: ${issue.message}${shown}`;
      }),
    );
  }
  return deepFreeze(result.data);
}

/** Read and validate the config file (SIDECART_CONFIG or config/default.yaml). */
export function loadConfig(file = defaultConfigPath(), env: NodeJS.ProcessEnv = process.env): SidecartConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseConfig(text, file, env);
}
