// `GET /admin/config`: the effective config with secrets removed. Redaction is by shape, not by
// a list of known keys, so a secret added to the schema later is hidden without touching this file:
// any key named like a secret, and the password part of any URL.

export const REDACTED = '[redacted]';
const SECRET_KEY = /token|password|secret|apikey|api_key|credential/i;
const URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@/i;

/** `redis://user:pw@host` → `redis://user:[redacted]@host`; `redis://:pw@host` → `redis://:[redacted]@host`. */
export function redactUrl(text: string): string {
  return text.replace(URL_CREDENTIALS, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

/** A redacted deep copy (plain JSON data in, plain JSON data out). */
export function redactConfig(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return SECRET_KEY.test(key) ? REDACTED : redactUrl(value);
  if (Array.isArray(value)) return value.map((item) => redactConfig(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? REDACTED : redactConfig(v, k);
    return out;
  }
  return value;
}
