import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load-config.js';
import { detectFormat, OrderGrouper, parseCsvHeader, parseCsvRow, parseJsonlLine, type CsvColumns, type ImportFormat } from '../events/import-formats.js';
import { readLines } from '../events/line-reader.js';
import { modelFileOf, serializeModel } from '../model/model-file.js';
import { trainNextBasket } from '../model/train-next-basket.js';
import type { ShopperEvent } from '../personalization/types.js';
import { loadCliConfig, type CliIo } from './import-command.js';

export const TRAIN_USAGE = `usage: sidecart train <file> [options]

Fits the next-basket model on order history (the import formats) and writes the model file
that personalization.model names. Same file, seed and config: the same model file, byte for byte.

  <file>                 .jsonl/.ndjson or .csv, as for sidecart import (purchases only are used)
  --out <file>           where the model goes (default: next-basket-model.json)
  --format csv|jsonl     override the format guessed from the file name
  --config <file>        sidecart config (its personalization settings shape the profiles)
  --seed <n>             seed for row sampling (default 1)

Exit codes: 0 written, 1 no usable history, 2 usage or config error.
`;

/** Reads the history file into purchase events per shopper; rejected lines are counted. */
export async function readHistory(file: string, format: ImportFormat | undefined, limits: { maxItemsPerEvent: number; maxIdLength: number }): Promise<{ histories: Map<string, ShopperEvent[]>; rejected: number }> {
  const histories = new Map<string, ShopperEvent[]>();
  const add = (shopperId: string, event: ShopperEvent) => {
    if (event.type !== 'purchase') return;
    const list = histories.get(shopperId) ?? [];
    list.push(event);
    histories.set(shopperId, list);
  };
  let rejected = 0;
  let kind = format;
  let columns: CsvColumns | null = null;
  const grouper = new OrderGrouper(limits.maxItemsPerEvent);
  for await (const line of readLines(file)) {
    if (line.text.trim() === '') continue;
    kind ??= detectFormat(file, line.text);
    if (kind === 'jsonl') {
      const parsed = parseJsonlLine(line.text, limits, Date.now());
      if (parsed.ok) add(parsed.value.shopperId, parsed.value.event);
      else rejected += 1;
      continue;
    }
    if (!columns) {
      const header = parseCsvHeader(line.text);
      if (!header.ok) throw new Error(header.message);
      columns = header.value;
      continue;
    }
    const row = parseCsvRow(line.text, columns, limits);
    if (!row.ok) {
      rejected += 1;
      continue;
    }
    const done = grouper.add(row.value, line.start, line.lineNo);
    if (done) add(done.shopperId, done.event);
  }
  const last = grouper.flush();
  if (last) add(last.shopperId, last.event);
  return { histories, rejected };
}

/** `sidecart train <file>`: returns the exit code. */
export async function runTrainCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' }, format: { type: 'string' }, config: { type: 'string' }, seed: { type: 'string' } } });
  } catch (err) {
    io.stderr.write(`sidecart train: ${(err as Error).message}\n\n${TRAIN_USAGE}`);
    return 2;
  }
  const [file] = parsed.positionals;
  const { out = 'next-basket-model.json', format, seed: seedText = '1' } = parsed.values;
  if (!file || (format !== undefined && format !== 'csv' && format !== 'jsonl') || !/^\d+$/.test(seedText)) {
    io.stderr.write(TRAIN_USAGE);
    return 2;
  }
  let config;
  try {
    config = loadCliConfig(parsed.values.config, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`sidecart train: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const seed = Number(seedText);
  let history;
  try {
    history = await readHistory(file, format as ImportFormat | undefined, { maxItemsPerEvent: config.events.maxItemsPerEvent, maxIdLength: config.identity.maxIdLength });
  } catch (err) {
    io.stderr.write(`sidecart train: ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  // Shoppers in id order: the model does not depend on the file's order of shoppers.
  const histories = [...history.histories.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, events]) => events);
  if (!histories.some((h) => h.length >= 2)) {
    io.stderr.write(`sidecart train: ${file}: no shopper with two orders or more; nothing to learn from\n`);
    return 1;
  }
  const { model, summary } = trainNextBasket(histories, { config: config.personalization, seed });
  writeFileSync(out, serializeModel(modelFileOf(model, { seed, shoppers: summary.shoppers, orders: summary.orders, rows: summary.rows, from: basename(file) })));
  io.stdout.write(`wrote ${out}: ${summary.shoppers} shoppers, ${summary.orders} orders, ${summary.rows} training rows (${summary.positives} bought next), ${history.rejected} lines rejected\n`);
  return 0;
}
