import { cpus, totalmem } from 'node:os';
import { configSchema } from '../config/schema.js';
import { loadGroceryData } from './grocery-data.js';
import { formatResults } from './results-table.js';
import { writeSection } from './results-file.js';
import { measure, prepare, type EvaluationResult } from './run-evaluation.js';
import { ablateSignals, formatAblation, type SignalRow } from './signal-ablation.js';
import { aisleWindows } from './aisle-windows.js';
import { crossValidate, type CvResult } from './next-basket-cv.js';
import { formatNextBasket, formatWindows } from './next-basket-report.js';

// `npm run evaluate -- [--data <dir>] [--strength 0.5] [--results bench/RESULTS.md] [--no-write] [--no-signals] [--folds 5] [--seed 20261206]`

export const RESULTS_HEADING = 'Offline evaluation';

export interface CliOutcome {
  result: EvaluationResult;
  signals: SignalRow[];
  cv: CvResult;
  table: string;
  seconds: number;
}

function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
}

export function runEvaluationCli(argv: readonly string[], log: (line: string) => void = console.log): CliOutcome {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dir = flag('--data') ?? '../shared/data/grocery';
  const strength = Number(flag('--strength') ?? 0.5);
  const resultsFile = flag('--results') ?? 'bench/RESULTS.md';
  const config = configSchema.parse({}).personalization;
  const started = Date.now();
  const prepared = prepare(loadGroceryData(dir), config);
  const result = measure(prepared, { config, strength });
  const ablation = argv.includes('--no-signals') ? null : ablateSignals(prepared, config, strength);
  const folds = Number(flag('--folds') ?? 5);
  const seed = Number(flag('--seed') ?? 20261206);
  const cv = crossValidate(prepared.shoppers, { config, folds, seed });
  const windows = [24, 100, Number.POSITIVE_INFINITY];
  const windowRows = [
    ...aisleWindows(prepared, { windows, strength, config, label: 'rules' }),
    ...aisleWindows(prepared, { windows, strength, config, configFor: (id) => cv.configFor.get(id) ?? config, label: 'next-basket model' }).slice(1),
  ];
  const seconds = (Date.now() - started) / 1000;
  const table =
    formatResults(result, { strength }) + (ablation ? `\n\n${formatAblation(ablation.base, ablation.rows)}` : '') + `\n\n${formatNextBasket(cv, seed)}\n\n${formatWindows(windowRows)}`;
  log(table);
  log(`(${seconds.toFixed(1)} s)`);
  if (!argv.includes('--no-write')) {
    const command = `npm run evaluate${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
    const body = [
      `Command: \`${command}\` (data: \`${dir}\`, default config). Machine: ${machine()}. Run time: ${seconds.toFixed(1)} s.`,
      '',
      'Method: for each shopper, every prior order but the last is replayed through the profile updater (one',
      'purchase batch per order; times = running sum of days_since_prior_order); the last prior order is the',
      'basket to predict. Backend order of an aisle search = global popularity of the product in the training',
      'orders (held-out baskets excluded), ties by product id. Products carry their aisle as category and',
      'tags read from their names (organic, gluten-free, vegan, lactose-free, kosher); the data has no brands.',
      '',
      table,
    ].join('\n');
    writeSection(resultsFile, RESULTS_HEADING, body);
    log(`written to ${resultsFile} under "## ${RESULTS_HEADING}"`);
  }
  return { result, signals: ablation?.rows ?? [], cv, table, seconds };
}
