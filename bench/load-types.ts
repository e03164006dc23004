// What the parent sends to a load client process (JSON on its stdin), and what the client prints
// back (one JSON line).

/** The job a load client process was given on stdin. */
export async function readJob<T>(): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  /** GET without a body unless set (a multi-query search is a POST). */
  method?: 'GET' | 'POST';
  body?: string;
}

export interface SaturationJob {
  url: string;
  connections: number;
  durationS: number;
  /** Cycled in order, one per request. */
  requests: LoadRequest[];
}

export interface FixedRateJob {
  url: string;
  rate: number;
  durationS: number;
  requests: LoadRequest[];
  /** Responses slower than this many ms are counted. */
  slowMs?: number;
  /** Keep every latency with its send time (for the Redis-hung timeline); off by default. */
  timeline?: boolean;
  /**
   * Seconds of the same load sent first and not recorded (default 1): the client's own cold
   * start (its JIT, its new connections) is not the target's latency. Every target gets it.
   */
  warmupS?: number;
}

export interface LoadResult {
  /** Completed 2xx responses per second over the run. */
  rps: number;
  total: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  /** CPU time the target process spent per completed request (set by the parent, saturation runs). */
  cpuMicrosPerRequest?: number;
}

export interface FixedRateResult extends LoadResult {
  sent: number;
  p999: number;
  slow: number;
  /** Server-Timing `sidecart;dur=` values (ms): percentiles, when the target sends them. */
  serverTiming: { count: number; p50: number; p99: number; max: number } | null;
  /** X-Sidecart header values and how often each came back. */
  outcomes: Record<string, number>;
  /** [ms since start when sent, latency ms] for the slowest responses (timeline mode). */
  slowest?: [number, number][];
  /** Timeline mode: max latency (ms) of the requests sent in each second. */
  perSecondMax?: number[];
}
