/** Why a write could not be kept: Redis is away and the journal is absent or full. */
export type UnavailableReason = 'no-journal' | 'journal-full';

/**
 * A write the store could not keep (neither in Redis nor in a journal). It was not acknowledged
 * anywhere: the HTTP answer is 503 with Retry-After, so the client sends it again.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'ESTOREUNAVAILABLE';

  constructor(
    readonly reason: UnavailableReason,
    readonly retryAfterSeconds: number,
  ) {
    super(reason === 'journal-full' ? 'Redis is unavailable and the replay journal is full' : 'Redis is unavailable and no replay journal is configured');
    this.name = 'StoreUnavailableError';
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return (error as { code?: unknown } | null)?.code === 'ESTOREUNAVAILABLE';
}
