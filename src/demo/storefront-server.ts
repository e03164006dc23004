import { createServer, type Server } from 'node:http';
import { storefrontPage, type StorefrontPageOptions } from './storefront-page.js';

/** Serves the demo storefront page at `/` (its own origin: a different port than sidecart's). */
export function createStorefrontServer(page: () => StorefrontPageOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
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
