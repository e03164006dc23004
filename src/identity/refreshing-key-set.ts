import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface RefreshingKeySetOptions {
  /** One fetch may take this long. */
  timeoutMs?: number;
  /** Keys older than this are refreshed in the background (verification keeps using them). */
  refreshMs?: number;
  /** At most one fetch per cooldown, whatever happens (unknown kids, failures). */
  cooldownMs?: number;
  now?: () => number;
}

/**
 * A JWKS fetched from a URL, kept as the last good key set. Unlike jose's createRemoteJWKSet,
 * a stale set is refreshed in the BACKGROUND and a JWKS endpoint that is down never makes a
 * request wait: verification keeps the last good keys (stale-while-revalidate) and fetches are
 * spaced by the cooldown. Identity sits in front of the search route's budget, so a slow key
 * server must not slow searches. A request waits for a fetch only for the very first load and
 * for an unknown `kid` (key rotation), both bounded by `timeoutMs` and the cooldown.
 */
export function createRefreshingKeySet(url: URL, options: RefreshingKeySetOptions = {}): JWTVerifyGetKey & { fetches: () => number; idle: () => Promise<void> } {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const refreshMs = options.refreshMs ?? 10 * 60_000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const now = options.now ?? Date.now;
  let local: ReturnType<typeof createLocalJWKSet> | undefined;
  let loadedAt = -Infinity;
  let attemptedAt = -Infinity;
  let pending: Promise<void> | undefined;
  let fetches = 0;

  const load = (): Promise<void> => {
    if (pending) return pending;
    attemptedAt = now();
    fetches += 1;
    pending = fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } })
      .then(async (res) => {
        if (!res.ok) throw new Error(`JWKS ${url.host} answered ${res.status}`);
        const jwks = (await res.json()) as JSONWebKeySet;
        if (!jwks || !Array.isArray(jwks.keys)) throw new Error(`JWKS ${url.host} has no "keys" array`);
        local = createLocalJWKSet(jwks);
        loadedAt = now();
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const mayFetch = (at: number) => at - attemptedAt >= cooldownMs;

  const getKey: JWTVerifyGetKey = async (header, token) => {
    const at = now();
    if (!local) {
      if (pending || mayFetch(at)) await load().catch(() => undefined);
      if (!local) throw Object.assign(new Error('JWKS not available'), { code: 'ERR_JWKS_UNAVAILABLE' });
    } else if (at - loadedAt >= refreshMs && mayFetch(at)) {
      void load().catch(() => undefined);
    }
    try {
      return await local(header, token);
    } catch (err) {
      // A kid we don't know may be a freshly rotated key: fetch once (per cooldown) and retry.
      if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || !mayFetch(at)) throw err;
      await load().catch(() => undefined);
      return local(header, token);
    }
  };
    return Object.assign(getKey, {
    /** Fetches started so far (tests, debugging). */
    fetches: () => fetches,
    /** Resolves when no fetch is in flight (tests). */
    idle: () => (pending ?? Promise.resolve()).catch(() => undefined),
  });
}
