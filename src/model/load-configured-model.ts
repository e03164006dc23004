import { resolve } from 'node:path';
import { ConfigError } from '../config/load-config.js';
import type { LiveConfig } from '../config/live-config.js';
import type { SidecartConfig } from '../config/schema.js';
import type { Logger } from '../logging/logger.js';
import { registerNextBasketModel } from '../personalization/next-basket-registry.js';
import { readModelFile } from './model-file.js';

// Loads the model file `personalization.model` names (relative paths from the working
// directory) and registers it under that name. At start a bad file stops sidecart with an error
// naming the key and the file; on a config reload the file is read again (a retrained model
// takes effect), and a bad one is logged while the model already loaded stays.

export function loadConfiguredModel(config: SidecartConfig, configFile: string): void {
  const name = config.personalization.model;
  if (!name) return;
  try {
    registerNextBasketModel(name, readModelFile(resolve(name)));
  } catch (err) {
    throw new ConfigError(configFile, [`personalization.model: cannot use the model file ${JSON.stringify(name)}: ${(err as Error).message}`]);
  }
}

export function reloadModelOnChange(live: LiveConfig, logger: Logger): void {
  live.onChange((next) => {
    try {
      loadConfiguredModel(next, live.file);
      if (next.personalization.model) logger.info({ model: next.personalization.model }, 'next-basket model loaded');
    } catch (err) {
      logger.error({ error: (err as Error).message }, 'next-basket model not reloaded; keeping the one loaded before');
    }
  });
}
