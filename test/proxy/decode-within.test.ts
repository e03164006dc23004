import { performance } from 'node:perf_hooks';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { codingsToUndo, decodeBody, decodeWithin } from '../../src/proxy/decode-body.js';

const json = Buffer.from(JSON.stringify({ hits: { hits: [{ _id: 'a' }, { _id: 'b' }] } }));
const roomy = () => ({ maxDecodedBytes: 1 << 20, deadline: performance.now() + 1_000 });

describe('codingsToUndo', () => {
  it('undoes codings in the reverse of the listed (applied) order', () => {
    expect(codingsToUndo('gzip, br')).toEqual(['br', 'gzip']);
    expect(codingsToUndo('identity, deflate,GZIP')).toEqual(['gzip', 'deflate']);
    expect(codingsToUndo(undefined)).toEqual([]);
    expect(codingsToUndo('gzip, compress')).toBeNull();
  });
});

describe('decodeWithin', () => {
  it.each([
    ['gzip', gzipSync(json)],
    ['br', brotliCompressSync(json)],
    ['deflate', deflateSync(json)],
    ['deflate', deflateRawSync(json)],
    ['gzip, br', brotliCompressSync(gzipSync(json))],
    ['br, gzip', gzipSync(brotliCompressSync(json))],
  ])('%s', async (encoding, body) => {
    const result = await decodeWithin(body, codingsToUndo(encoding)!, roomy());
    expect(result.ok && result.body.equals(json)).toBe(true);
    // The synchronous variant (traffic taps) agrees.
    const sync = decodeBody(body, encoding, 1 << 20);
    expect(sync.ok && sync.body.equals(json)).toBe(true);
  });

  it('stops at maxDecodedBytes (too-large), at what the budget could parse, and on a broken stream', async () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20, 0x20));
    expect(await decodeWithin(bomb, ['gzip'], { maxDecodedBytes: 1 << 20, deadline: performance.now() + 10_000 })).toEqual({ ok: false, reason: 'too-large' });
    expect(await decodeWithin(bomb, ['gzip'], { maxDecodedBytes: 64 << 20, deadline: performance.now() + 5 })).toEqual({ ok: false, reason: 'budget' });
    expect(await decodeWithin(Buffer.from('not gzip'), ['gzip'], roomy())).toEqual({ ok: false, reason: 'not-json' });
  });
});
