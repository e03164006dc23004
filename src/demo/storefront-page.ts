import type { DemoProduct } from './demo-catalog.js';

// The demo storefront: one HTML page with a shopper switcher, the backend's order beside the
// shopper's, and a "your usual" widget fed by the section channel (GET /sidecart/v1/me/sections).
// Plain fetch calls to the Elasticsearch-shaped demo backend through sidecart, from another
// origin, with the identity header: what a store's own page does with its search client (the
// README's "Storefront clients" shows each client's way of sending the header). The script
// builds the DOM with textContent only: nothing from a response is ever parsed as HTML.

export interface StorefrontPageOptions {
  sidecartUrl: string;
  shoppers: { id: string; who: string }[];
  catalog: readonly DemoProduct[];
  query: string;
}

/** JSON for inside a <script> element (`<` escaped so no text can close the element). */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export function storefrontPage(options: StorefrontPageOptions): string {
  const names = Object.fromEntries(options.catalog.map((p) => [p.id, p.name]));
  const config = { sidecart: options.sidecartUrl, shoppers: options.shoppers, names, query: options.query };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sidecart demo storefront</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2b24; background: #f7faf7; }
  h1 { font-size: 22px; margin: 0 0 4px; } .sub { color: #5b6b62; margin: 0 0 16px; }
  form { display: flex; gap: 12px; align-items: center; margin-bottom: 16px; flex-wrap: wrap; }
  input, select, button { font: inherit; padding: 6px 8px; }
  .columns { display: grid; grid-template-columns: 1fr 1fr 300px; gap: 16px; align-items: start; }
  section { background: #fff; border: 1px solid #d7e2da; border-radius: 8px; padding: 12px 16px; }
  h2 { font-size: 16px; margin: 0 0 8px; } ol, ul { margin: 0; padding-left: 22px; }
  li { margin: 3px 0; } .meta { color: #6b7b72; font-size: 12px; }
  .badge { display: inline-block; background: #e3f4e8; color: #1f6b3a; border-radius: 10px; padding: 1px 8px; margin: 0 4px 6px 0; font-size: 12px; }
  .moved { color: #1f6b3a; font-weight: 600; } #status { font-family: ui-monospace, monospace; font-size: 12px; color: #5b6b62; }
</style>
</head>
<body>
<h1>Demo grocery storefront</h1>
<p class="sub">This page is on its own origin; its searches go to sidecart (<span id="sidecart-url"></span>) with the shopper in the <code>x-user-id</code> header.</p>
<form id="search-form">
  <label>Shopper <select id="shopper"></select></label>
  <label>Search <input id="query" size="16"></label>
  <button type="submit">Search</button>
  <span id="status"></span>
</form>
<div class="columns">
  <section><h2>Backend order</h2><ol id="backend-results"></ol></section>
  <section><h2 id="personal-title">For the shopper</h2><div id="badges"></div><ol id="results"></ol></section>
  <section id="usual-widget"><h2>Your usual</h2><ul id="usual"></ul><h2 style="margin-top:12px">Time to reorder</h2><ul id="reorder"></ul><p class="meta" id="usual-note"></p></section>
</div>
<script>
const CONFIG = ${scriptJson(config)};
const $ = (id) => document.getElementById(id);
const nameOf = (id) => CONFIG.names[id] || id;
$('sidecart-url').textContent = CONFIG.sidecart;
$('query').value = CONFIG.query;
for (const s of [...CONFIG.shoppers, { id: '', who: 'not signed in' }]) {
  const option = document.createElement('option');
  option.value = s.id;
  option.textContent = s.id ? s.id + ' (' + s.who + ')' : s.who;
  $('shopper').append(option);
}

function item(list, text, meta, attrs) {
  const li = document.createElement('li');
  for (const [k, v] of Object.entries(attrs || {})) li.setAttribute(k, v);
  li.append(text);
  if (meta) { const span = document.createElement('span'); span.className = 'meta'; span.textContent = ' ' + meta; li.append(span); }
  list.append(li);
  return li;
}

async function search(query, shopper) {
  const headers = { 'content-type': 'application/json' };
  if (shopper) headers['x-user-id'] = shopper;
  const res = await fetch(CONFIG.sidecart + '/products/_search', { method: 'POST', headers, body: JSON.stringify({ query: { match: { name: query } }, size: 24 }) });
  if (!res.ok) throw new Error('search answered ' + res.status);
  return { doc: await res.json(), header: res.headers.get('x-sidecart') };
}

function showHits(list, hits, backendIds) {
  list.replaceChildren();
  hits.slice(0, 12).forEach((hit, i) => {
    const p = hit._source;
    const before = backendIds ? backendIds.indexOf(hit._id) : i;
    const moved = backendIds && before !== i;
    const li = item(list, p.name, p.brand + ' · €' + p.price.toFixed(2) + (moved ? (before === -1 ? ' · new here' : ' · was #' + (before + 1)) : ''), { 'data-id': hit._id });
    if (moved && (before === -1 || before > i)) li.classList.add('moved');
  });
}

async function showUsual(shopper) {
  $('usual').replaceChildren();
  $('reorder').replaceChildren();
  if (!shopper) { $('usual-note').textContent = 'Sign in to see your usual.'; return; }
  const res = await fetch(CONFIG.sidecart + '/sidecart/v1/me/sections', { headers: { 'x-user-id': shopper } });
  const section = await res.json();
  if (!section.enabled) { $('usual-note').textContent = 'Personalization is off for this shopper.'; return; }
  for (const u of section.usual) item($('usual'), nameOf(u.id), '×' + u.usualQuantity + ', bought ' + u.timesBought + ' times', { 'data-id': u.id });
  for (const r of section.reorder) item($('reorder'), nameOf(r.id), r.daysUntilDue <= 0 ? 'due now' : 'due in ' + Math.round(r.daysUntilDue) + ' days', { 'data-id': r.id });
  $('usual-note').textContent = section.usual.length === 0 && section.reorder.length === 0 ? 'Nothing usual yet.' : 'confidence ' + section.confidence.toFixed(2) + ' · from ' + (res.headers.get('x-sidecart-store') || 'sidecart');
}

async function run() {
  const shopper = $('shopper').value;
  const query = $('query').value;
  $('status').textContent = 'searching…';
  document.body.dataset.state = 'loading';
  try {
    const [backend, personal] = await Promise.all([search(query, ''), search(query, shopper), showUsual(shopper)]);
    const backendIds = backend.doc.hits.hits.map((h) => h._id);
    showHits($('backend-results'), backend.doc.hits.hits, null);
    showHits($('results'), personal.doc.hits.hits, backendIds);
    $('personal-title').textContent = shopper ? 'For ' + shopper : 'Not signed in';
    $('badges').replaceChildren();
    const section = personal.doc._personalization;
    for (const b of (section && section.badges) || []) { const span = document.createElement('span'); span.className = 'badge'; span.textContent = b; $('badges').append(span); }
    $('status').textContent = 'X-Sidecart: ' + (personal.header || (section ? 'personalized' : 'passthrough'));
    document.body.dataset.state = 'ready';
  } catch (err) {
    $('status').textContent = 'failed: ' + err.message;
    document.body.dataset.state = 'failed';
  }
}

$('search-form').addEventListener('submit', (e) => { e.preventDefault(); void run(); });
$('shopper').addEventListener('change', () => void run());
void run();
</script>
</body>
</html>
`;
}
