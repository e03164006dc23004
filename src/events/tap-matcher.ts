import type { TapConfig } from '../config/schema.js';
import { compileRoutePattern } from '../proxy/route-matcher.js';

/**
 * Finds the traffic tap for a storefront call by method and path. Path patterns are the search
 * routes' (`/cart/items`, `/carts/:id/items`, `*` as one segment, a trailing `/*` for any rest).
 * Compiled once per config.
 */
export interface TapMatcher {
  match(method: string, pathname: string): TapConfig | null;
  readonly empty: boolean;
}

export function createTapMatcher(taps: readonly TapConfig[]): TapMatcher {
  const compiled = taps.map((tap) => ({ tap, pattern: compileRoutePattern(tap.path) }));
  return {
    empty: compiled.length === 0,
    match(method, pathname) {
      for (const { tap, pattern } of compiled) if (tap.method === method && pattern.test(pathname)) return tap;
      return null;
    },
  };
}
