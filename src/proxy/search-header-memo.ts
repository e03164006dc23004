import type { RouteConfig, SidecartConfig } from '../config/schema.js';
import { identityVaryHeaders } from '../identity/shopper-identity.js';
import { isJsonResponse } from './json-content-type.js';

/**
 * Per handler: a backend sends the same Content-Type on every search and the identity config
 * rarely changes, so each is worked out once, not once per response.
 */
export class HeaderMemo {
  private vary: { identity: unknown; names: string[] } | null = null;
  private contentType: { value: string | string[] | undefined; adapter: RouteConfig['adapter'] | undefined; json: boolean } = { value: undefined, adapter: undefined, json: false };

  varyOn(config: SidecartConfig): string[] {
    if (this.vary?.identity !== config.identity) this.vary = { identity: config.identity, names: identityVaryHeaders(config.identity) };
    return this.vary.names;
  }

  isJson(contentType: string | string[] | undefined, adapter: RouteConfig['adapter']): boolean {
    if (contentType !== this.contentType.value || adapter !== this.contentType.adapter) {
      this.contentType = { value: contentType, adapter, json: isJsonResponse(contentType, adapter) };
    }
    return this.contentType.json;
  }
}

export function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
