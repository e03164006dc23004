#!/usr/bin/env node
import { IMPORT_USAGE, runImportCommand } from './import-command.js';
import { REPORT_USAGE, runReportCommand } from './report-command.js';
import { runTrainCommand, TRAIN_USAGE } from './train-command.js';

// The `sidecart` command: one subcommand per module. `sidecart import <file>` builds profiles
// from order history. (The server itself is `node dist/src/main.js` / `npm start`.)

const USAGE = `usage: sidecart <command> [options]

commands:
  import <file>   build shopper profiles from order history (CSV or JSONL); resumable, idempotent
  train <file>    fit the next-basket model on order history; writes the model file
  report          an experiment's conversion rates, difference and 95% interval from /metrics
  help            this text

${IMPORT_USAGE}
${TRAIN_USAGE}
${REPORT_USAGE}`;

/** First signal: stop reading, finish the writes in flight, save the checkpoint. Second: exit now. */
function abortOnSignals(): AbortSignal {
  const controller = new AbortController();
  let interrupts = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupts += 1;
      if (interrupts > 1) process.exit(130);
      controller.abort();
    });
  }
  return controller.signal;
}

const [command, ...args] = process.argv.slice(2);

switch (command) {
  case 'import':
    process.exitCode = await runImportCommand(args, { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: abortOnSignals() });
    break;
  case 'train':
    process.exitCode = await runTrainCommand(args, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    break;
  case 'report':
    process.exitCode = await runReportCommand(args, { stdout: process.stdout, stderr: process.stderr });
    break;
  case undefined:
  case 'help':
  case '--help':
  case '-h':
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(`sidecart: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    process.exitCode = 2;
}
