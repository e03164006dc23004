import type { RouteConfig } from '../config/schema.js';

/**
 * Finds the search route for a request path. Patterns: exact (`/products/_search`), one-segment
 * parameters (`/:index/_search`), `*` as a whole segment matching one segment, and a trailing
 * `/*` matching any rest. Compiled once per config.
 */
export interface RouteMatcher {
  match(pathname: string): RouteConfig | null;
}

/** A route path pattern as a regular expression (shared by search routes and traffic taps). */
export function compileRoutePattern(pattern: string): RegExp {
  const segments = pattern.split('/').slice(1);
  const parts = segments.map((segment, i) => {
    if (segment === '*' && i === segments.length - 1) return '(?:/.*)?';
    if (segment === '*' || segment.startsWith(':')) return '/[^/]+';
    return '/' + segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}/?$`);
}

export function createRouteMatcher(routes: readonly RouteConfig[]): RouteMatcher {
  const compiled = routes.map((route) => ({ route, exact: route.path.includes('*') || route.path.includes(':') ? null : route.path, pattern: compileRoutePattern(route.path) }));
  return {
    match(pathname) {
      for (const { route, exact, pattern } of compiled) {
        if (exact !== null ? pathname === exact || pathname === exact + '/' : pattern.test(pathname)) return route;
      }
      return null;
    },
  };
}
