import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export type DecodeResult = { ok: true; body: Buffer } | { ok: false; reason: 'unknown-encoding' | 'too-large' | 'not-json' };

/**
 * Decode a copy of the upstream body by its Content-Encoding (possibly a list, applied in order).
 * The original bytes stay untouched for pass-through. `maxDecodedBytes` guards against
 * compression bombs.
 */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined, maxDecodedBytes: number): DecodeResult {
  if (!contentEncoding) return { ok: true, body: raw };
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let body = raw;
  try {
    for (const coding of codings.reverse()) {
      const options = { maxOutputLength: maxDecodedBytes };
      if (coding === 'gzip' || coding === 'x-gzip') body = gunzipSync(body, options);
      else if (coding === 'br') body = brotliDecompressSync(body, options);
      else if (coding === 'deflate') body = inflateDeflate(body, maxDecodedBytes);
      else return { ok: false, reason: 'unknown-encoding' };
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, reason: 'too-large' };
    return { ok: false, reason: 'not-json' };
  }
  return { ok: true, body };
}

// "deflate" is zlib-wrapped by the spec, but some servers send raw deflate; accept both.
function inflateDeflate(body: Buffer, maxOutputLength: number): Buffer {
  try {
    return inflateSync(body, { maxOutputLength });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw err;
    return inflateRawSync(body, { maxOutputLength });
  }
}
