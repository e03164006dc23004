import type { RedisClient } from './redis-client.js';

/** One shopper's profile read: the values of `keys`, null where a key is absent. */
export type MultiGet = (keys: readonly string[]) => Promise<(Buffer | null)[]>;

interface Waiting {
  keys: readonly string[];
  resolve: (values: (Buffer | null)[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Profile reads asked for during one turn of the event loop go to Redis as one pipeline, sent
 * when the turn's I/O callbacks are done (setImmediate): one socket write, and usually one read
 * of the replies, instead of a write and a read per search. On this bench's 2-core VM a small
 * loopback write costs ~30 µs of CPU, more than decoding the profile; a search under load waits
 * at most the rest of the turn it arrived in, while its backend request is already out.
 *
 * Each read keeps its own promise, error and ioredis command timeout. A Cluster reads each
 * shopper directly: its pipelines must stay within one node, and shoppers spread over slots.
 */
export function batchedMultiGet(client: RedisClient): MultiGet {
  if (client.isCluster) return (keys) => client.mgetBuffer(...keys);
  let waiting: Waiting[] = [];

  const flush = () => {
    const batch = waiting;
    waiting = [];
    if (batch.length === 1) {
      const only = batch[0]!;
      client.mgetBuffer(...only.keys).then(only.resolve, only.reject);
      return;
    }
    const pipeline = client.pipeline();
    for (const read of batch) pipeline.mgetBuffer(...read.keys);
    pipeline.exec().then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const [err, values] = results?.[i] ?? [new Error('no reply in the pipeline'), null];
          if (err) batch[i]!.reject(err);
          else batch[i]!.resolve(values as (Buffer | null)[]);
        }
      },
      (err: unknown) => {
        for (const read of batch) read.reject(err);
      },
    );
  };

  return (keys) =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ keys, resolve, reject });
    });
}
