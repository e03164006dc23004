import { createSidecart, type Sidecart } from '../../src/app.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/logging/logger.js';
import { stringify } from 'yaml';
import type { ProfileStore } from '../../src/store/profile-store.js';

export interface RunningSidecart {
  sidecart: Sidecart;
  url: string;
  opsUrl: string;
  close: () => Promise<void>;
}

/**
 * Builds a sidecart in this process around a config object (YAML-equivalent), bound to free
 * loopback ports. The upstream is a real backend process; sockets are real.
 */
export async function startSidecart(config: Record<string, unknown>, store?: ProfileStore): Promise<RunningSidecart> {
  const server = { host: '127.0.0.1', port: 0, opsPort: 0, ...((config.server as object | undefined) ?? {}) };
  const parsed = parseConfig(stringify({ ...config, server, logging: { level: 'silent', ...((config.logging as object | undefined) ?? {}) } }), 'test-config.yaml', {});
  const sidecart = createSidecart({ config: parsed, configFile: 'test-config.yaml', logger: createLogger(parsed.logging.level), ...(store ? { store } : {}) });
  const { port, opsPort } = await sidecart.listen();
  return {
    sidecart,
    url: `http://127.0.0.1:${port}`,
    opsUrl: `http://127.0.0.1:${opsPort}`,
    close: () => sidecart.shutdown(),
  };
}
