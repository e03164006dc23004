import type { AdapterName } from '../config/schema.js';

// Which response content types a search route tries to parse as JSON. JSON proper
// (`application/json`, any `+json` type such as Elasticsearch's
// `application/vnd.elasticsearch+json`), and for Solr also `text/plain`: the `_default` configset
// of Solr 7 and 8 answers wt=json with it. Whether such a body is JSON is then up to the parse
// (a body that does not parse passes through, as any unparsable body does).

/** Adapters whose engine may label a JSON answer `text/plain`. */
const PLAIN_TEXT_JSON: ReadonlySet<AdapterName> = new Set<AdapterName>(['solr']);

/** The media type of a Content-Type value (first value if repeated), lower case, without parameters. */
function mediaType(contentType: string | string[] | undefined): string | undefined {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** True when a search route on this adapter should try to parse a response of this content type. */
export function isJsonResponse(contentType: string | string[] | undefined, adapterName: AdapterName): boolean {
  const type = mediaType(contentType);
  if (type === undefined || type === '') return false;
  if (type === 'application/json' || type.endsWith('+json')) return true;
  return type === 'text/plain' && PLAIN_TEXT_JSON.has(adapterName);
}
