import { parseArgs } from 'node:util';
import { request } from 'undici';
import { buildExperimentReport, REPORT_METRIC_NAMES, type ConversionType } from '../experiments/experiment-report.js';
import { renderExperimentReport } from '../experiments/experiment-report-text.js';
import { parsePrometheusText, sumSamples } from '../experiments/prometheus-text.js';

export interface ReportIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export const REPORT_USAGE = `usage: sidecart report --metrics-url <url> --experiment <name> [options]

Prints an experiment's conversion rate per variant, the difference to the baseline and its
95% confidence interval, computed from sidecart's Prometheus counters.

  --metrics-url <url>    a sidecart /metrics URL (ops port), e.g. http://host:8081/metrics;
                         repeat it for each replica: the counters are summed
  --experiment <name>    the experiment (config: experiments[].name)
  --type <type>          purchase (default) or add_to_cart
  --baseline <variant>   compare with this variant (default: "control" if present, else the first)
  --timeout-ms <n>       per scrape (default 5000)
  --json                 print the report as JSON

Rate = exposed shoppers with at least one attributed conversion / exposed shoppers.
Interval: two-proportion normal approximation (Wald). Counts are per replica and in memory.
Exit codes: 0 printed, 2 usage error, 3 a scrape failed.
`;

const EXIT = { ok: 0, usage: 2, failed: 3 } as const;

/** `sidecart report`: returns the exit code. */
export async function runReportCommand(args: string[], io: ReportIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        'metrics-url': { type: 'string', multiple: true },
        experiment: { type: 'string' },
        type: { type: 'string', default: 'purchase' },
        baseline: { type: 'string' },
        'timeout-ms': { type: 'string', default: '5000' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    io.stderr.write(`sidecart report: ${(err as Error).message}\n\n${REPORT_USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(REPORT_USAGE);
    return EXIT.ok;
  }
  const urls = values['metrics-url'] ?? [];
  const usage = (message: string) => {
    io.stderr.write(`sidecart report: ${message}\n\n${REPORT_USAGE}`);
    return EXIT.usage;
  };
  if (urls.length === 0) return usage('--metrics-url is required');
  if (!values.experiment) return usage('--experiment is required');
  if (values.type !== 'purchase' && values.type !== 'add_to_cart') return usage('--type: purchase or add_to_cart');
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) return usage('--timeout-ms: a positive integer');
  for (const url of urls) if (!URL.canParse(url)) return usage(`--metrics-url: not a URL: ${url}`);

  let scrapes;
  try {
    scrapes = await Promise.all(urls.map((url) => scrape(url, timeoutMs)));
  } catch (err) {
    io.stderr.write(`sidecart report: ${(err as Error).message}\n`);
    return EXIT.failed;
  }
  const report = buildExperimentReport(sumSamples(scrapes), {
    experiment: values.experiment,
    type: values.type as ConversionType,
    ...(values.baseline ? { baseline: values.baseline } : {}),
  });
  if (values.baseline && !report.variants.some((v) => v.variant === values.baseline)) {
    io.stderr.write(`sidecart report: warning: no counts for baseline variant ${JSON.stringify(values.baseline)}\n`);
  }
  io.stdout.write(values.json ? JSON.stringify({ ...report, sources: urls }, null, 2) + '\n' : renderExperimentReport(report));
  return EXIT.ok;
}

async function scrape(url: string, timeoutMs: number) {
  let res;
  try {
    res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`cannot scrape ${url}: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`cannot scrape ${url}: HTTP ${res.statusCode}`);
  return parsePrometheusText(text, REPORT_METRIC_NAMES);
}
