import { createHmac, randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'sidecart' },
      // Never log secrets, even by accident through an object that carries them.
      redact: { paths: ['*.token', '*.password', '*.secret', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    },
    destination as pino.DestinationStream | undefined,
  );
}

// A keyed hash with a per-process random key: guessable ids (emails, order numbers) cannot be
// reversed from logs by hashing candidates; lines of one process still correlate.
const SHOPPER_REF_KEY = randomBytes(32);

/** Shopper ids never reach logs in clear: a short keyed hash lets ops correlate one process's lines. */
export function shopperRef(shopperId: string): string {
  return createHmac('sha256', SHOPPER_REF_KEY).update(shopperId).digest('hex').slice(0, 12);
}
