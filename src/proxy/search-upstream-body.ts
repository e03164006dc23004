import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { PassthroughReason } from './passthrough-reason.js';
import { serverTiming } from './search-answers.js';

// The search route's handling of the upstream body: buffered (bounded in bytes and in time) for
// personalization, or streamed straight through when it will not be personalized.

export type BufferOutcome = 'done' | 'too-large' | 'error' | 'timeout';

/**
 * Buffers up to `limit` bytes. On overflow it stops reading (the stream is left paused for
 * piping); past `deadline` (performance.now()) it drops the body ('timeout').
 */
export function bufferBody(body: Dispatcher.ResponseData['body'], chunks: Buffer[], limit: number, deadline: number): Promise<BufferOutcome> {
  return new Promise((resolve) => {
    let size = 0;
    const settle = (outcome: BufferOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      body.off('data', onData);
      body.destroy();
      settle('timeout');
    }, Math.max(0, deadline - performance.now()));
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > limit) {
        body.off('data', onData);
        body.off('end', onEnd);
        body.off('error', onError);
        body.pause();
        settle('too-large');
      }
    };
    const onEnd = () => settle('done');
    const onError = () => settle('error');
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
  });
}

/** Sends the status and headers, the bytes already read, then pipes the rest; cut at `bodyDeadline`. */
export function streamThrough(
  res: ServerResponse,
  upstream: Dispatcher.ResponseData,
  headers: OutgoingHttpHeaders,
  already: Buffer[],
  reason: PassthroughReason,
  bodyDeadline: number,
): void {
  res.writeHead(upstream.statusCode, { ...headers, 'x-sidecart': `passthrough; reason=${reason}`, 'server-timing': serverTiming(headers['server-timing'], 0) });
  for (const chunk of already) res.write(chunk);
  // Past upstream.bodyTimeoutMs the stream is cut: the client sees a truncated body, not a hang.
  const timer = setTimeout(() => {
    upstream.body.destroy();
    res.destroy();
  }, Math.max(0, bodyDeadline - performance.now()));
  upstream.body.once('close', () => clearTimeout(timer));
  upstream.body.on('error', () => res.destroy());
  upstream.body.pipe(res);
}
