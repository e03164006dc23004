// Reads the Prometheus text exposition format (what /metrics serves) into samples. Enough of
// the format for counters and gauges: comments, labels with escaped values, a value, an
// optional timestamp. Pure; the report is computed from these samples.

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

export function parsePrometheusText(text: string, wanted?: ReadonlySet<string>): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name || (wanted && !wanted.has(name))) continue;
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest);
      if (!parsed) throw new Error(`metrics text: cannot read the labels of: ${line}`);
      Object.assign(labels, parsed.labels);
      rest = rest.slice(parsed.length);
    }
    const valueText = rest.trim().split(/\s+/)[0] ?? '';
    const value = parseValue(valueText);
    if (value === null) throw new Error(`metrics text: not a number "${valueText}" in: ${line}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

function parseValue(text: string): number | null {
  // Case-insensitive like Prometheus' own parser (prom-client writes "Nan").
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  const value = Number(text);
  return text !== '' && !Number.isNaN(value) ? value : null;
}

/** `{a="1",b="x\"y"}` → labels and the number of characters read (braces included). */
function parseLabels(text: string): { labels: Record<string, string>; length: number } | null {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, length: i + 1 };
    const key = NAME.exec(text.slice(i))?.[0];
    if (!key) return null;
    i += key.length;
    if (text[i] !== '=' || text[i + 1] !== '"') return null;
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return null;
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[key] = value;
    i++;
  }
}

/** Sums samples of the same name and labels (several replicas scraped, one total). */
export function sumSamples(groups: readonly MetricSample[][]): MetricSample[] {
  const totals = new Map<string, MetricSample>();
  for (const samples of groups) {
    for (const sample of samples) {
      const key = sample.name + JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b)));
      const seen = totals.get(key);
      if (seen) seen.value += sample.value;
      else totals.set(key, { name: sample.name, labels: { ...sample.labels }, value: sample.value });
    }
  }
  return [...totals.values()];
}
