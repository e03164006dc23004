import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createSidecart } from '../app.js';
import { parseConfig } from '../config/load-config.js';
import { DEMO_CATALOG } from './demo-catalog.js';
import { createDemoSearchBackend } from './demo-search-backend.js';
import { createStorefrontServer } from './storefront-server.js';

// `npm run demo`: a demo search backend (Elasticsearch-shaped, the generated catalog), sidecart in
// front of it with the memory store, two seeded shoppers, the curl lines that show the
// difference, and a storefront page on its own origin (another port) that searches through
// sidecart from a browser. No Redis, no config. `--once` prints the comparison and exits (used by
// the tests). Ports: SIDECART_PORT, SIDECART_OPS_PORT, DEMO_BACKEND_PORT, DEMO_STOREFRONT_PORT (0 = any free).

const once = process.argv.includes('--once');
const port = once ? 0 : Number(process.env.SIDECART_PORT ?? 8080);
const opsPort = once ? 0 : Number(process.env.SIDECART_OPS_PORT ?? 8081);

const portOf = (server: { address(): unknown }) => (server.address() as AddressInfo).port;
const listenOn = (server: { listen(port: number, host: string, done: () => void): unknown }, port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

// The storefront's origin is known before sidecart starts: sidecart answers its CORS preflights.
let sidecartUrl = '';
const storefront = createStorefrontServer(() => ({ sidecartUrl, shoppers: Object.entries(shoppers).map(([id, s]) => ({ id, who: s.who })).concat([{ id: 'carol-789', who: 'new, no history' }]), catalog: DEMO_CATALOG, query: 'dairy' }));
await listenOn(storefront, once ? 0 : Number(process.env.DEMO_STOREFRONT_PORT ?? 3000));
const storefrontOrigin = `http://127.0.0.1:${portOf(storefront)}`;

const backend = createDemoSearchBackend({ allowOrigin: () => storefrontOrigin });
await new Promise<void>((resolve) => backend.listen(once ? 0 : Number(process.env.DEMO_BACKEND_PORT ?? 9200), '127.0.0.1', resolve));
const backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

const config = parseConfig(
  JSON.stringify({
    server: { host: '127.0.0.1', port, opsPort, shutdownGraceMs: 2000 },
    upstream: { url: backendUrl },
    // The engine's standard routes (_search, _msearch), this one with the demo's own strength.
    engine: 'elasticsearch',
    // A wider budget than the default 50 ms: the demo's first searches run before the JIT has
    // warmed up, often on a busy laptop, and a budget pass-through would hide what it shows.
    // The storefront page's InstantSearch sends its queries as one `_msearch`.
    routes: ['/:index/_search', '/_msearch'].map((path) => ({ path, adapter: 'elasticsearch', budgetMs: 250, strength: 0.7 })),
    cors: { allowedOrigins: [storefrontOrigin] },
    logging: { level: once ? 'silent' : 'info' },
  }),
  'demo (built-in config)',
  {},
);
const sidecart = createSidecart({ config, configFile: 'demo (built-in config)' });
const bound = await sidecart.listen();
const url = `http://127.0.0.1:${bound.port}`;
sidecartUrl = url;

/** Two shoppers with different habits, fed through the public events API like a storefront would. */
const day = 86_400_000;
const pick = (brand: string, name: string) => DEMO_CATALOG.find((p) => p.brand === brand && p.name.includes(name))!;
const shoppers: Record<string, { who: string; basket: ReturnType<typeof pick>[] }> = {
  'alice-123': { who: 'buys Oatly oat drink every week', basket: [pick('Oatly', 'Oat Drink'), pick('Oatly', 'Greek Yogurt'), pick('Fazer', 'Rye Bread')] },
  'bob-456': { who: 'buys Valio milk and Arla cheddar', basket: [pick('Valio', 'Whole Milk'), pick('Arla', 'Cheddar'), pick('Atria', 'Beef Mince')] },
};
for (const [shopper, { basket }] of Object.entries(shoppers)) {
  const events = [5, 4, 3, 2, 1].map((weeksAgo) => ({
    id: `${shopper}-order-${weeksAgo}`,
    type: 'purchase',
    at: Date.now() - weeksAgo * 7 * day,
    items: basket.map((p) => ({ id: p.id, brand: p.brand, category: p.category, tags: p.tags, price: p.price, name: p.name, quantity: 2 })),
  }));
  const res = await request(`${url}/sidecart/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': shopper },
    body: JSON.stringify({ events }),
  });
  await res.body.dump();
}

async function topHits(shopper: string): Promise<{ header: string; names: string[] }> {
  const res = await request(`${url}/products/_search?q=dairy&size=24`, { headers: { 'x-user-id': shopper } });
  const doc = (await res.body.json()) as { hits: { hits: { _source: { name: string } }[] } };
  return { header: String(res.headers['x-sidecart']), names: doc.hits.hits.slice(0, 5).map((h) => h._source.name) };
}

// One unshown round first: the comparison below then shows warm searches, as a running store sees them.
for (const shopper of [...Object.keys(shoppers), 'carol-789']) await topHits(shopper);

const lines: string[] = [];
lines.push(`demo backend (Elasticsearch-shaped, ${DEMO_CATALOG.length} products): ${backendUrl}`);
lines.push(`sidecart: ${url}   ops: http://127.0.0.1:${bound.opsPort}/metrics`);
if (!once) lines.push(`storefront (open in a browser; another origin, searching through sidecart): ${storefrontOrigin}/`);
lines.push('');
for (const shopper of [...Object.keys(shoppers), 'carol-789']) {
  const { header, names } = await topHits(shopper);
  const label = shoppers[shopper] ? `${shopper} (${shoppers[shopper]!.who})` : `${shopper} (unknown: no history)`;
  lines.push(`${label}  →  X-Sidecart: ${header}`);
  names.forEach((name, i) => lines.push(`   ${i + 1}. ${name}`));
  lines.push(`   curl -s '${url}/products/_search?q=dairy&size=5' -H 'x-user-id: ${shopper}' | jq '.hits.hits[]._source.name, ._personalization'`);
  lines.push('');
}
console.log(lines.join('\n'));

if (once) {
  await sidecart.shutdown();
  backend.close();
  storefront.close();
} else {
  console.log('Ctrl-C stops the demo.');
  const stop = () => {
    void sidecart.shutdown().then(() => {
      backend.close();
      storefront.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
