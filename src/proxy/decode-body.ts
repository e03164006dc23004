import type { Transform } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { brotliDecompressSync, createBrotliDecompress, createGunzip, createInflate, createInflateRaw, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { parseableBytes, within } from './search-budget.js';

export type DecodeFailure = 'unknown-encoding' | 'too-large' | 'not-json' | 'budget';
export type DecodeResult = { ok: true; body: Buffer } | { ok: false; reason: DecodeFailure };

export interface DecodeLimits {
  /** Decoded bytes past this: too-large (search.maxDecodedBytes; also bounds each intermediate coding). */
  maxDecodedBytes: number;
  /** performance.now() at which the route's budget runs out. */
  deadline: number;
}

/** The codings to undo, in the order to undo them (the reverse of the listed order), or null for an unknown one. */
export function codingsToUndo(contentEncoding: string | undefined): readonly string[] | null {
  if (!contentEncoding) return NONE;
  const codings: string[] = [];
  for (const part of contentEncoding.split(',')) {
    const coding = part.trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    if (!KNOWN.has(coding)) return null;
    codings.push(coding);
  }
  // Codings are listed in the order they were applied, so the last one applied comes off first.
  return codings.reverse();
}

const KNOWN = new Set(['gzip', 'x-gzip', 'br', 'deflate']);
/** Most search responses are not encoded: one shared empty list for them. */
const NONE: readonly string[] = Object.freeze([]);

/**
 * Decodes a copy of the upstream body (the original bytes stay untouched for pass-through).
 * Inflating is incremental on zlib's thread pool, so a compression bomb never blocks the event
 * loop: it stops as soon as the decoded bytes pass `maxDecodedBytes` (too-large), outgrow what a
 * parse could still take before the deadline, or the deadline passes (budget).
 */
export async function decodeWithin(raw: Buffer, codings: readonly string[], limits: DecodeLimits): Promise<DecodeResult> {
  let body = raw;
  for (const coding of codings) {
    const stage = { stopped: false };
    const decoded = await within(inflate(body, coding, limits, stage), limits.deadline - performance.now(), 'budget' as const);
    if (decoded === 'budget') stage.stopped = true;
    if (typeof decoded === 'string') return { ok: false, reason: decoded };
    body = decoded;
  }
  return { ok: true, body };
}

function inflate(input: Buffer, coding: string, limits: DecodeLimits, stage: { stopped: boolean }): Promise<Buffer | Exclude<DecodeFailure, 'unknown-encoding'>> {
  return new Promise((resolve) => {
    const stream = decompressor(coding, input);
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (value: Buffer | Exclude<DecodeFailure, 'unknown-encoding'>) => {
      stream.removeAllListeners('data');
      stream.destroy();
      resolve(value);
    };
    stream.on('data', (chunk: Buffer) => {
      if (stage.stopped) return stop('budget');
      size += chunk.length;
      if (size > limits.maxDecodedBytes) return stop('too-large');
      if (size > parseableBytes(limits.deadline - performance.now())) return stop('budget');
      chunks.push(chunk);
    });
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    stream.once('error', () => resolve('not-json'));
    stream.end(input);
  });
}

// Fewer, larger hops to the thread pool than zlib's 16 KiB default.
const CHUNK = 64 * 1024;

function decompressor(coding: string, input: Buffer): Transform {
  if (coding === 'br') return createBrotliDecompress({ chunkSize: CHUNK });
  if (coding === 'deflate') return zlibWrapped(input) ? createInflate({ chunkSize: CHUNK }) : createInflateRaw({ chunkSize: CHUNK });
  return createGunzip({ chunkSize: CHUNK });
}

/**
 * "deflate" is zlib-wrapped by the spec, but some servers send raw deflate: a zlib header is a
 * CMF byte with method 8 whose 16-bit value with FLG is a multiple of 31 (RFC 1950).
 */
function zlibWrapped(input: Buffer): boolean {
  return input.length >= 2 && (input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0;
}

/**
 * The same decoding in one synchronous call, for small bodies off the search path (traffic taps):
 * `maxDecodedBytes` bounds the output of each coding.
 */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined, maxDecodedBytes: number): DecodeResult {
  const codings = codingsToUndo(contentEncoding);
  if (codings === null) return { ok: false, reason: 'unknown-encoding' };
  let body = raw;
  try {
    for (const coding of codings) {
      const options = { maxOutputLength: maxDecodedBytes };
      if (coding === 'br') body = brotliDecompressSync(body, options);
      else if (coding === 'deflate') body = zlibWrapped(body) ? inflateSync(body, options) : inflateRawSync(body, options);
      else body = gunzipSync(body, options);
    }
  } catch (err) {
    return { ok: false, reason: (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : 'not-json' };
  }
  return { ok: true, body };
}
