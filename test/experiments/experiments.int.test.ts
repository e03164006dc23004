import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { runReportCommand } from '../../src/cli/report-command.js';
import type { ExperimentConfig } from '../../src/config/schema.js';
import { buildExperimentReport, type ExperimentReport } from '../../src/experiments/experiment-report.js';
import { parsePrometheusText, type MetricSample } from '../../src/experiments/prometheus-text.js';
import { pickVariant } from '../../src/experiments/variant-assigner.js';
import { startFixtureBackend, type FixtureBackend } from '../support/child-process.js';
import { startSidecart, type RunningSidecart } from '../support/sidecart-harness.js';

// Experiments end to end over real sockets: a real backend process, a real sidecart with an A/B
// split on one route and shadow mode on another, events by API and by tap, /metrics scraped.

const ADMIN = 'admin-token-0123456789';
const EXPERIMENT: ExperimentConfig = {
  name: 'ranking-ab',
  variants: [
    { name: 'control', weight: 50, personalize: false },
    { name: 'personalized', weight: 50, personalize: true },
  ],
};
const SEARCH = '/products/_search?q=milk&size=24';
const SHADOW = '/shadowed/_search?q=milk&size=24';

let backend: FixtureBackend;
let proxy: RunningSidecart;

/** The first shopper ids that the experiment puts in each variant (assignment is deterministic). */
function shoppersIn(variant: string, count: number, prefix: string): string[] {
  const found: string[] = [];
  for (let i = 0; found.length < count; i++) if (pickVariant(EXPERIMENT, `${prefix}-${i}`).name === variant) found.push(`${prefix}-${i}`);
  return found;
}
const [controlShopper, controlBuyer] = shoppersIn('control', 2, 'c') as [string, string];
const [treatedShopper, treatedBuyer, treatedIdle] = shoppersIn('personalized', 3, 't') as [string, string, string];

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.statusCode, body: await res.body.text() };
}

const sendEvents = (shopper: string, events: unknown[]) => post(`${proxy.url}/sidecart/v1/events`, { events }, { 'x-user-id': shopper });

async function scrape(): Promise<MetricSample[]> {
  return parsePrometheusText((await get(`${proxy.opsUrl}/metrics`)).body.toString());
}

function counter(samples: MetricSample[], name: string, labels: Record<string, string>): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

/** Bounded wait for a counter (tap work finishes after the response). */
async function waitForCounter(name: string, labels: Record<string, string>, atLeast: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = counter(await scrape(), name, labels);
    if (value >= atLeast || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  backend = await startFixtureBackend();
  proxy = await startSidecart({
    upstream: { url: backend.url },
    admin: { token: ADMIN },
    routes: [
      { path: '/products/_search', adapter: 'elasticsearch', budgetMs: 2_000, strength: 0.9, experiment: EXPERIMENT.name },
      { path: '/shadowed/_search', adapter: 'elasticsearch', budgetMs: 2_000, strength: 0.9, shadow: true },
    ],
    experiments: [EXPERIMENT],
    attribution: { windowMinutes: 60 },
    events: { taps: [{ path: '/echo/checkout', method: 'POST', type: 'purchase', itemsPath: 'lines', idPath: 'sku' }] },
  });
  // Every test shopper has a history that moves the last backend hit to the top.
  const direct = JSON.parse((await get(`${backend.url}${SEARCH}`)).body.toString()) as { hits: { hits: { _id: string; _source: { brand: string } }[] } };
  const favourite = direct.hits.hits.at(-1)!;
  for (const shopper of [controlShopper, controlBuyer, treatedShopper, treatedBuyer, treatedIdle]) {
    const res = await sendEvents(shopper, [
      { id: `${shopper}-h1`, type: 'purchase', at: Date.now() - 20 * 86400_000, items: [{ id: favourite._id, brand: favourite._source.brand, quantity: 2 }] },
      { id: `${shopper}-h2`, type: 'purchase', at: Date.now() - 10 * 86400_000, items: [{ id: favourite._id, brand: favourite._source.brand, quantity: 2 }] },
    ]);
    expect(res.status).toBe(202);
  }
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await backend?.stop();
});

describe('A/B split on a search route', () => {
  it('control: the backend’s exact bytes with reason=control-group and the variant header, also gzip-encoded', async () => {
    for (const encoding of [undefined, 'gzip']) {
      const headers: Record<string, string> = encoding ? { 'x-fixture-encoding': encoding } : {};
      const direct = await get(`${backend.url}${SEARCH}`, headers);
      const res = await get(`${proxy.url}${SEARCH}`, { ...headers, 'x-user-id': controlShopper });
      expect(res.status).toBe(200);
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=control-group');
      expect(res.headers['x-sidecart-variant']).toBe('ranking-ab=control');
      // Per-shopper header on a shared-cacheable body: Vary on the identity keeps caches honest.
      expect(String(res.headers['vary'])).toMatch(/x-user-id/i);
      expect(res.headers['content-encoding']).toBe(direct.headers['content-encoding']);
      expect(res.body.equals(direct.body)).toBe(true);
    }
  });

  it('treatment: personalized, with the variant header; the same shopper stays in the variant', async () => {
    const direct = await get(`${backend.url}${SEARCH}`);
    for (let i = 0; i < 3; i++) {
      const res = await get(`${proxy.url}${SEARCH}`, { 'x-user-id': treatedShopper });
      expect(res.headers['x-sidecart']).toBe('personalized');
      expect(res.headers['x-sidecart-variant']).toBe('ranking-ab=personalized');
      expect(res.body.equals(direct.body)).toBe(false);
    }
  });

  it('a shopper without identity is in no experiment and gets no variant header', async () => {
    const res = await get(`${proxy.url}${SEARCH}`);
    expect(res.headers['x-sidecart']).toBe('passthrough; reason=no-identity');
    expect(res.headers['x-sidecart-variant']).toBeUndefined();
  });
});

describe('shadow mode', () => {
  it('personalizes and measures, but sends the backend’s exact bytes (plain and gzip)', async () => {
    const before = counter(await scrape(), 'sidecart_shadow_top_hits_displacement_count', { route: '/shadowed/_search' });
    for (const encoding of [undefined, 'gzip']) {
      const headers: Record<string, string> = encoding ? { 'x-fixture-encoding': encoding } : {};
      const direct = await get(`${backend.url}${SHADOW}`, headers);
      const res = await get(`${proxy.url}${SHADOW}`, { ...headers, 'x-user-id': treatedShopper });
      expect(res.headers['x-sidecart']).toBe('passthrough; reason=shadow');
      expect(res.headers['content-encoding']).toBe(direct.headers['content-encoding']);
      expect(res.body.equals(direct.body)).toBe(true);
    }
    const samples = await scrape();
    expect(counter(samples, 'sidecart_shadow_top_hits_displacement_count', { route: '/shadowed/_search' })).toBe(before + 2);
    // The favourite would have moved from the bottom to the top: the top 10 moved on average.
    expect(counter(samples, 'sidecart_shadow_top_hits_displacement_sum', { route: '/shadowed/_search' })).toBeGreaterThan(0);
  });
});

describe('attribution and the report', () => {
  it('attributes purchases to the variant, influenced when shown personalized; a replayed event id counts once (API and tap)', async () => {
    const shown = JSON.parse((await get(`${proxy.url}${SEARCH}`, { 'x-user-id': treatedBuyer })).body.toString()) as { hits: { hits: { _id: string }[] } };
    await get(`${proxy.url}${SEARCH}`, { 'x-user-id': controlBuyer });
    await get(`${proxy.url}${SEARCH}`, { 'x-user-id': treatedIdle });
    const bought = shown.hits.hits[0]!._id;

    const order = { id: 'order-77', type: 'purchase', items: [{ id: bought, quantity: 1 }] };
    expect((await sendEvents(treatedBuyer, [order])).status).toBe(202);
    expect((await sendEvents(treatedBuyer, [order])).status).toBe(202);
    expect((await sendEvents(controlBuyer, [{ ...order, id: 'order-78' }])).status).toBe(202);
    expect((await sendEvents(controlBuyer, [{ ...order, id: 'order-78' }])).status).toBe(202);

    // The storefront's own checkout call, tapped; the retry carries the same request id.
    for (let i = 0; i < 2; i++) {
      const res = await post(`${proxy.url}/echo/checkout`, { lines: [{ sku: bought }] }, { 'x-user-id': treatedBuyer, 'x-request-id': 'checkout-1' });
      expect(res.status).toBe(200);
    }
    const treatedInfluenced = { experiment: 'ranking-ab', variant: 'personalized', type: 'purchase', influenced: 'true' };
    expect(await waitForCounter('sidecart_experiment_conversions_total', treatedInfluenced, 2)).toBe(2);
    const samples = await scrape();
    expect(counter(samples, 'sidecart_experiment_conversions_total', treatedInfluenced)).toBe(2);
    expect(counter(samples, 'sidecart_experiment_conversions_total', { variant: 'control', type: 'purchase', influenced: 'false' })).toBe(1);
    expect(counter(samples, 'sidecart_experiment_conversions_total', { variant: 'control', influenced: 'true' })).toBe(0);
    expect(counter(samples, 'sidecart_experiment_converted_shoppers_total', { variant: 'personalized', type: 'purchase' })).toBe(1);
    expect(counter(samples, 'sidecart_experiment_converted_shoppers_total', { variant: 'control', type: 'purchase' })).toBe(1);
    // The history backfill before any exposure did not count.
    expect(counter(samples, 'sidecart_experiment_shoppers_total', { experiment: 'ranking-ab', variant: 'personalized' })).toBe(3);
    expect(counter(samples, 'sidecart_experiment_shoppers_total', { experiment: 'ranking-ab', variant: 'control' })).toBe(2);
  });

  it('the admin report’s numbers are the scraped counters; it needs the admin token', async () => {
    const unauthorized = await get(`${proxy.opsUrl}/admin/experiments/ranking-ab/report`);
    expect(unauthorized.status).toBe(401);
    const auth = { authorization: `Bearer ${ADMIN}` };
    expect((await get(`${proxy.opsUrl}/admin/experiments/nope/report`, auth)).status).toBe(404);

    const samples = await scrape();
    const res = await get(`${proxy.opsUrl}/admin/experiments/ranking-ab/report`, auth);
    expect(res.status).toBe(200);
    const report = JSON.parse(res.body.toString()) as ExperimentReport;
    expect(report.baseline).toBe('control');
    for (const variant of ['control', 'personalized']) {
      const row = report.variants.find((v) => v.variant === variant)!;
      const shoppers = counter(samples, 'sidecart_experiment_shoppers_total', { experiment: 'ranking-ab', variant });
      const converted = counter(samples, 'sidecart_experiment_converted_shoppers_total', { experiment: 'ranking-ab', variant, type: 'purchase' });
      expect(row.shoppers).toBe(shoppers);
      expect(row.convertedShoppers).toBe(converted);
      expect(row.rate).toBe(converted / shoppers);
      expect(row.conversions).toBe(counter(samples, 'sidecart_experiment_conversions_total', { experiment: 'ranking-ab', variant, type: 'purchase' }));
      expect(row.exposures).toBe(counter(samples, 'sidecart_experiment_exposures_total', { experiment: 'ranking-ab', variant }));
    }
    // 1/3 vs 1/2 from the counters above.
    expect(report.comparisons[0]!.difference).toBeCloseTo(1 / 3 - 1 / 2, 10);
    expect(report.comparisons[0]!.caution).toMatch(/unreliable/);
    expect(report).toEqual(buildExperimentReport(samples, { experiment: 'ranking-ab', type: 'purchase', baseline: 'control', variants: ['control', 'personalized'] }));

    const text = (await get(`${proxy.opsUrl}/admin/experiments/ranking-ab/report?format=text`, auth)).body.toString();
    expect(text).toMatch(/personalized\s+3\s+1\s+33\.33%/);
    expect((await get(`${proxy.opsUrl}/admin/experiments/ranking-ab/report?type=refund`, auth)).status).toBe(400);
    const list = JSON.parse((await get(`${proxy.opsUrl}/admin/experiments`, auth)).body.toString()) as { experiments: { name: string; baseline: string; routes: { path: string }[] }[] };
    expect(list.experiments).toMatchObject([{ name: 'ranking-ab', baseline: 'control', routes: [{ path: '/products/_search' }] }]);
  });

  it('`sidecart report` prints the same figures from /metrics, summing replicas', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } };
    const code = await runReportCommand(['--metrics-url', `${proxy.opsUrl}/metrics`, '--experiment', 'ranking-ab'], io);
    expect(err.join('')).toBe('');
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/control \(baseline\)\s+2\s+1\s+50\.00%/);
    expect(text).toMatch(/personalized\s+3\s+1\s+33\.33%\s+2\s+2/);
    expect(text).toMatch(/personalized vs control: -16\.67 pts, 95% CI \[/);

    out.length = 0;
    const twice = ['--metrics-url', `${proxy.opsUrl}/metrics`, '--metrics-url', `${proxy.opsUrl}/metrics`, '--experiment', 'ranking-ab', '--json'];
    expect(await runReportCommand(twice, io)).toBe(0);
    const summed = JSON.parse(out.join('')) as ExperimentReport;
    expect(summed.variants.find((v) => v.variant === 'personalized')).toMatchObject({ shoppers: 6, convertedShoppers: 2 });

    expect(await runReportCommand(['--experiment', 'ranking-ab'], io)).toBe(2);
    expect(await runReportCommand(['--metrics-url', `http://127.0.0.1:1/metrics`, '--experiment', 'ranking-ab', '--timeout-ms', '2000'], io)).toBe(3);
    expect(err.join('')).toMatch(/cannot scrape/);
  });
});
