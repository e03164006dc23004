import type { IncomingMessage } from 'node:http';
import { Readable, Transform } from 'node:stream';

// The storefront's request body where the search route needs to read it: multi-query
// responses are labelled by their request (which index each query searched, its page size), and
// a rerank window rewrites the paging of a request before it goes out.

/** A copy of a request body made while it streams to the backend, bounded in bytes. */
export interface RequestCopy {
  /** The whole body, once it ended within the limit; null while streaming, past the limit, or when it broke off. */
  body(): Buffer | null;
  overLimit(): boolean;
  /** Settles when the body ended, broke off or passed the limit. */
  settled: Promise<void>;
}

/**
 * The request body to forward (the same bytes, passed on chunk by chunk as they arrive) and a
 * copy of it kept up to `limit` bytes; past the limit the copy is dropped and the body still
 * streams on.
 */
export function teeRequestBody(req: IncomingMessage, limit: number): { forward: Readable; copy: RequestCopy } {
  let chunks: Buffer[] | null = [];
  let size = 0;
  let whole: Buffer | null = null;
  let over = false;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const forward = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunks) {
        size += chunk.length;
        if (size > limit) {
          chunks = null;
          over = true;
          settle();
        } else chunks.push(chunk);
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (chunks) whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks = null;
      settle();
      callback();
    },
  });
  const broke = () => {
    chunks = null;
    settle();
    forward.destroy(new Error('request body broke off'));
  };
  req.once('aborted', broke);
  req.once('error', broke);
  req.pipe(forward);
  return { forward, copy: { body: () => whole, overLimit: () => over, settled } };
}

export type ReadRequest = { complete: true; body: Buffer } | { complete: false; /** The bytes read so far, then the rest of the stream: the body as the storefront sent it. */ forward: Readable; reason: 'request-too-large' | 'error' };

/**
 * Reads the whole request body before anything is forwarded (a rewrite needs all of it), up to
 * `limit` bytes. Past the limit, or when it breaks off, the caller gets a stream of the exact
 * bytes to forward unchanged.
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<ReadRequest> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: ReadRequest) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > limit) {
        req.pause();
        done({ complete: false, forward: Readable.from(replay(chunks, req)), reason: 'request-too-large' });
      }
    };
    const onEnd = () => done({ complete: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
    const onError = () => done({ complete: false, forward: Readable.from(replay(chunks, req)), reason: 'error' });
    // A client gone mid-body may close without 'error': the request then goes nowhere either way.
    const onClose = () => {
      if (!req.complete) onError();
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

async function* replay(read: Buffer[], rest: IncomingMessage): AsyncGenerator<Buffer> {
  yield* read;
  for await (const chunk of rest) yield chunk as Buffer;
}
