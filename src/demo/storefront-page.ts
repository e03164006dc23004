import type { DemoProduct } from './demo-catalog.js';

// The demo storefront: an instantsearch.js page (its UMD build, served beside the page) whose
// custom search client sends InstantSearch's queries to the Elasticsearch-shaped demo backend
// through sidecart, from another origin, with the shopper in the identity header. The answer is
// mapped to InstantSearch results with the section kept as `userData` (where an Algolia
// storefront reads it), so the hits widget shows who moved and the queryRuleCustomData widget
// the badges. A shopper switcher re-runs the search with the new header; "your usual" comes from
// the section channel (GET /sidecart/v1/me/sections). Widgets render through InstantSearch's
// `html` templates and the custom ones through textContent: nothing from a response is parsed as HTML.

export interface StorefrontPageOptions {
  sidecartUrl: string;
  shoppers: { id: string; who: string }[];
  catalog: readonly DemoProduct[];
  query: string;
}

/** Where the storefront server serves instantsearch.js's UMD build. */
export const INSTANTSEARCH_SCRIPT_PATH = '/instantsearch.production.min.js';

/** JSON for inside a <script> element (`<` escaped so no text can close the element). */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export function storefrontPage(options: StorefrontPageOptions): string {
  const names = Object.fromEntries(options.catalog.map((p) => [p.id, p.name]));
  const config = { sidecart: options.sidecartUrl, shoppers: options.shoppers, names, query: options.query, index: 'products' };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sidecart demo storefront</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2b24; background: #f7faf7; }
  h1 { font-size: 22px; margin: 0 0 4px; } .sub { color: #5b6b62; margin: 0 0 16px; }
  .bar { display: flex; gap: 12px; align-items: center; margin-bottom: 16px; flex-wrap: wrap; }
  input, select, button { font: inherit; padding: 6px 8px; }
  .ais-SearchBox-form { display: flex; gap: 6px; } .ais-SearchBox-input { width: 220px; }
  .ais-SearchBox-submit, .ais-SearchBox-reset { display: none; }
  .columns { display: grid; grid-template-columns: 1fr 320px; gap: 16px; align-items: start; }
  section { background: #fff; border: 1px solid #d7e2da; border-radius: 8px; padding: 12px 16px; }
  h2 { font-size: 16px; margin: 0 0 8px; } ul { margin: 0; padding-left: 22px; }
  .ais-Hits-list { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
  .ais-Hits-item { border: 1px solid #e4ece6; border-radius: 6px; padding: 8px; }
  .ais-Hits-item .pos { color: #8a9a90; font-size: 12px; } .ais-Hits-item .name { font-weight: 600; display: block; }
  .meta { color: #6b7b72; font-size: 12px; }
  .badge { display: inline-block; background: #e3f4e8; color: #1f6b3a; border-radius: 10px; padding: 1px 8px; margin: 0 4px 6px 0; font-size: 12px; }
  .ais-Pagination-list { display: flex; gap: 6px; list-style: none; padding: 0; } .ais-Pagination-item--selected { font-weight: 700; }
  .ais-Pagination-item--disabled { display: none; }
  li { margin: 3px 0; } #status { font-family: ui-monospace, monospace; font-size: 12px; color: #5b6b62; }
</style>
</head>
<body>
<h1>Demo grocery storefront</h1>
<p class="sub">instantsearch.js on its own origin; its searches go to sidecart (<span id="sidecart-url"></span>) as one <code>_msearch</code> with the shopper in the <code>x-user-id</code> header.</p>
<div class="bar">
  <label>Shopper <span id="shopper-switcher"></span></label>
  <div id="searchbox"></div>
  <span id="stats"></span>
  <span id="status"></span>
</div>
<div class="columns">
  <section><h2 id="personal-title">Results</h2><div id="badges"></div><div id="hits"></div><div id="pagination"></div></section>
  <section id="usual-widget"><h2>Your usual</h2><ul id="usual"></ul><h2 style="margin-top:12px">Time to reorder</h2><ul id="reorder"></ul><p class="meta" id="usual-note"></p></section>
</div>
<script src="${INSTANTSEARCH_SCRIPT_PATH}"></script>
<script>
const CONFIG = ${scriptJson(config)};
const $ = (id) => document.getElementById(id);
const nameOf = (id) => CONFIG.names[id] || id;
const { searchBox, hits, stats, pagination, queryRuleCustomData, configure } = instantsearch.widgets;
$('sidecart-url').textContent = CONFIG.sidecart;

// The signed-in shopper: the switcher changes it, every request to sidecart carries it.
let shopper = CONFIG.shoppers[0] ? CONFIG.shoppers[0].id : '';
let lastSidecartHeader = '';
const identityHeaders = () => (shopper ? { 'x-user-id': shopper, 'x-sidecart-explain': '1' } : {});

// InstantSearch's request params → an Elasticsearch search body (the demo backend matches on text).
function esBody(params) {
  const hitsPerPage = params.hitsPerPage ?? 20;
  const page = params.page ?? 0;
  return { query: { match: { name: params.query || '' } }, size: hitsPerPage, from: page * hitsPerPage };
}

// One Elasticsearch response → one InstantSearch result; the section stays as userData.
function toResult(response, request) {
  const params = request.params || {};
  const hitsPerPage = params.hitsPerPage ?? 20;
  const total = response.hits ? response.hits.total.value : 0;
  const result = {
    index: request.indexName,
    hits: (response.hits ? response.hits.hits : []).map((h) => Object.assign({}, h._source, { objectID: h._id, _score: h._score })),
    nbHits: total,
    page: params.page ?? 0,
    nbPages: Math.ceil(total / Math.max(hitsPerPage, 1)),
    hitsPerPage,
    query: params.query || '',
    params: new URLSearchParams(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString(),
    processingTimeMS: response.took || 0,
    exhaustiveNbHits: true,
  };
  if (response._personalization) result.userData = [{ _personalization: response._personalization }];
  return result;
}

// InstantSearch's custom-backend interface: search(requests) → Promise<{ results }>.
const searchClient = {
  async search(requests) {
    const ndjson = requests.map((r) => JSON.stringify({ index: r.indexName }) + '\\n' + JSON.stringify(esBody(r.params || {})) + '\\n').join('');
    const res = await fetch(CONFIG.sidecart + '/_msearch', {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/x-ndjson' }, identityHeaders()),
      body: ndjson,
    });
    if (!res.ok) throw new Error('search answered ' + res.status);
    lastSidecartHeader = res.headers.get('x-sidecart') || '';
    const doc = await res.json();
    return { results: doc.responses.map((response, i) => toResult(response, requests[i])) };
  },
};

const sectionOf = (results) => (results && results.userData || []).map((d) => d && d._personalization).find(Boolean);

function item(list, text, meta, attrs) {
  const li = document.createElement('li');
  for (const [k, v] of Object.entries(attrs || {})) li.setAttribute(k, v);
  li.append(text);
  if (meta) { const span = document.createElement('span'); span.className = 'meta'; span.textContent = ' ' + meta; li.append(span); }
  list.append(li);
}

// A custom widget: the shopper switcher. A change re-runs the search (refresh drops the cached
// answers of the previous shopper) and reloads "your usual".
const shopperSwitcher = {
  $$type: 'demo.shopperSwitcher',
  init({ instantSearchInstance }) {
    const select = document.createElement('select');
    select.id = 'shopper';
    for (const s of [...CONFIG.shoppers, { id: '', who: 'not signed in' }]) {
      const option = document.createElement('option');
      option.value = s.id;
      option.textContent = s.id ? s.id + ' (' + s.who + ')' : s.who;
      select.append(option);
    }
    select.value = shopper;
    select.addEventListener('change', () => {
      shopper = select.value;
      document.body.dataset.state = 'loading';
      void showUsual();
      instantSearchInstance.refresh();
    });
    $('shopper-switcher').append(select);
  },
  render() {},
};

// "Your usual" from the section channel, for any page (no search needed).
let usualLoaded = Promise.resolve();
function showUsual() {
  const forShopper = shopper;
  usualLoaded = (async () => {
    $('usual').replaceChildren();
    $('reorder').replaceChildren();
    if (!forShopper) { $('usual-note').textContent = 'Sign in to see your usual.'; return; }
    $('usual-note').textContent = 'loading…';
    const res = await fetch(CONFIG.sidecart + '/sidecart/v1/me/sections', { headers: { 'x-user-id': forShopper } });
    if (forShopper !== shopper) return;
    if (!res.ok) { $('usual-note').textContent = 'sections answered ' + res.status; return; }
    const section = await res.json();
    for (const u of section.usual || []) item($('usual'), nameOf(u.id), '×' + u.usualQuantity + ', bought ' + u.timesBought + ' times', { 'data-id': u.id });
    for (const r of section.reorder || []) item($('reorder'), nameOf(r.id), r.daysUntilDue <= 0 ? 'due now' : 'due in ' + Math.round(r.daysUntilDue) + ' days', { 'data-id': r.id });
    const empty = !section.usual || (section.usual.length === 0 && (!section.reorder || section.reorder.length === 0));
    $('usual-note').textContent = empty ? 'Nothing usual yet.' : 'confidence ' + section.confidence.toFixed(2) + ' · from ' + (res.headers.get('x-sidecart-store') || 'sidecart');
  })();
  return usualLoaded;
}

const search = instantsearch({
  indexName: CONFIG.index,
  searchClient,
  initialUiState: { [CONFIG.index]: { query: CONFIG.query } },
});

search.addWidgets([
  configure({ hitsPerPage: 12 }),
  shopperSwitcher,
  searchBox({ container: '#searchbox', placeholder: 'Search groceries', showSubmit: false, showReset: false, showLoadingIndicator: false }),
  stats({ container: '#stats' }),
  // The section's badges, read from results.userData as an Algolia storefront would.
  queryRuleCustomData({
    container: '#badges',
    transformItems: (items) => items.map((d) => d._personalization).filter(Boolean),
    templates: { default: ({ items }, { html }) => html\`\${items.flatMap((s) => s.badges || []).map((b) => html\`<span class="badge">\${b}</span>\`)}\` },
  }),
  hits({
    container: '#hits',
    // Position on the page and, with explanations on, where the backend had a hit moved up for the shopper.
    transformItems: (items, { results }) => {
      const section = sectionOf(results);
      const moved = new Map(((section && section.explain) || []).filter((e) => e.to < e.from).map((e) => [e.id, e]));
      const offset = results ? results.page * results.hitsPerPage : 0;
      return items.map((hit, i) => Object.assign({}, hit, { position: offset + i + 1, moved: moved.get(hit.objectID) }));
    },
    templates: {
      item: (hit, { html }) => html\`<div data-id=\${hit.objectID}>
        <span class="pos">#\${hit.position}</span>\${hit.moved ? html\` <span class="badge">Personalized</span><span class="meta">was #\${hit.moved.from + 1}</span>\` : ''}
        <span class="name">\${hit.name}</span>
        <span class="meta">\${hit.brand} · €\${hit.price.toFixed(2)}</span>
        \${hit.moved && hit.moved.reasons && hit.moved.reasons.length ? html\`<span class="meta" style="display:block">\${hit.moved.reasons.join(', ')}</span>\` : ''}
      </div>\`,
      empty: (results, { html }) => html\`<p>No products for "\${results.query}".</p>\`,
    },
  }),
  pagination({ container: '#pagination', padding: 2 }),
]);

// The page's state for a reader (and the browser test): ready once the search is shown.
search.on('render', () => {
  if (search.status !== 'idle') return;
  $('personal-title').textContent = shopper ? 'For ' + shopper : 'Not signed in';
  const results = search.mainIndex.getResults();
  // X-Sidecart when the answer lets this origin read it (Access-Control-Expose-Headers), else what the section says.
  $('status').textContent = lastSidecartHeader ? 'X-Sidecart: ' + lastSidecartHeader : sectionOf(results) ? 'personalized (section in userData)' : 'backend order (no section)';
  document.body.dataset.query = results ? results.query : '';
  void usualLoaded.then(() => { if (search.status === 'idle') document.body.dataset.state = 'ready'; });
});
search.on('error', ({ error }) => {
  $('status').textContent = 'failed: ' + (error && error.message);
  document.body.dataset.state = 'failed';
});

void showUsual();
search.start();
</script>
</body>
</html>
`;
}
