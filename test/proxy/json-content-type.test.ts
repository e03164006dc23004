import { describe, expect, it } from 'vitest';
import { ADAPTER_NAMES } from '../../src/config/schema.js';
import { isJsonResponse } from '../../src/proxy/json-content-type.js';

describe('isJsonResponse', () => {
  it('takes JSON and +json types for every adapter, parameters and case aside', () => {
    for (const adapter of ADAPTER_NAMES) {
      expect(isJsonResponse('application/json', adapter)).toBe(true);
      expect(isJsonResponse('Application/JSON; charset=UTF-8', adapter)).toBe(true);
      expect(isJsonResponse('application/vnd.elasticsearch+json; compatible-with=8', adapter)).toBe(true);
      expect(isJsonResponse(['application/json', 'text/html'], adapter)).toBe(true);
    }
  });

  it("takes text/plain only on Solr routes (Solr 7/8's _default configset labels JSON so)", () => {
    expect(isJsonResponse('text/plain;charset=utf-8', 'solr')).toBe(true);
    expect(isJsonResponse(' TEXT/PLAIN ', 'solr')).toBe(true);
    for (const adapter of ADAPTER_NAMES.filter((a) => a !== 'solr')) expect(isJsonResponse('text/plain; charset=utf-8', adapter)).toBe(false);
  });

  it('refuses other types, a missing or empty header', () => {
    for (const adapter of ADAPTER_NAMES) {
      expect(isJsonResponse(undefined, adapter)).toBe(false);
      expect(isJsonResponse('', adapter)).toBe(false);
      expect(isJsonResponse('text/html', adapter)).toBe(false);
      expect(isJsonResponse('application/jsonp', adapter)).toBe(false);
      expect(isJsonResponse('text/plainjson', adapter)).toBe(false);
      expect(isJsonResponse('application/x-ndjson', adapter)).toBe(false);
    }
  });
});
