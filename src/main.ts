import { createSidecart } from './app.js';
import { ConfigError, defaultConfigPath, loadConfig } from './config/load-config.js';
import { loadConfiguredModel } from './model/load-configured-model.js';

// Entry point: load and validate config (exit 2 on a bad one), listen, drain on SIGTERM/SIGINT.
const file = defaultConfigPath();
let config;
try {
  config = loadConfig(file);
  loadConfiguredModel(config, file);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`sidecart: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const sidecart = createSidecart({ config, configFile: file, watchConfig: true });
process.on('SIGHUP', () => sidecart.reloadConfig('SIGHUP'));
await sidecart.listen();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sidecart.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        sidecart.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
