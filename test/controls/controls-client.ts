import { request } from 'undici';

// A tiny HTTP client for control-API tests: real sockets, the raw body kept for byte comparisons.

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: <T = Record<string, unknown>>() => T;
}

export async function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string | Buffer } = {}): Promise<Reply> {
  const headers = { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
  const body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  const res = await request(url, { method: (options.method ?? 'GET') as 'GET', headers, body });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body: bytes, json: <T>() => JSON.parse(bytes.toString()) as T };
}

const DAY = 86_400_000;

/** Two purchases and a view of the given products: enough history for a profile. */
export function purchaseEvents(prefix: string, products: string[]) {
  return {
    events: [
      { id: `${prefix}-1`, type: 'purchase', at: Date.now() - 20 * DAY, items: products.map((id) => ({ id, quantity: 2, brand: 'Alpenmilch', tags: ['vegetarian'] })) },
      { id: `${prefix}-2`, type: 'purchase', at: Date.now() - 10 * DAY, items: products.map((id) => ({ id, quantity: 2, brand: 'Alpenmilch', tags: ['vegetarian'] })) },
      { id: `${prefix}-3`, type: 'view', items: [{ id: products[0] }] },
    ],
  };
}
