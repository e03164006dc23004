import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { INSTANTSEARCH_SCRIPT_PATH, storefrontPage, type StorefrontPageOptions } from './storefront-page.js';

// instantsearch.js's UMD build from node_modules (a devDependency, there after `npm ci`): the
// page loads it from its own origin, as a store would from its own bundle or a CDN.
let instantsearchScript: Buffer | undefined;
function instantsearchBuild(): Buffer {
  instantsearchScript ??= readFileSync(createRequire(import.meta.url).resolve('instantsearch.js/dist/instantsearch.production.min.js'));
  return instantsearchScript;
}

/** Serves the demo storefront page at `/` (its own origin: a different port than sidecart's) and instantsearch.js beside it. */
export function createStorefrontServer(page: () => StorefrontPageOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'GET' && path === INSTANTSEARCH_SCRIPT_PATH) {
      const script = instantsearchBuild();
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': script.length, 'cache-control': 'public, max-age=3600' });
      res.end(script);
      return;
    }
    if (req.method !== 'GET' || (path !== '/' && path !== '/index.html')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    const html = storefrontPage(page());
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
    res.end(html);
  });
}
