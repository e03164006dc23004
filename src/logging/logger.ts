import { createHash } from 'node:crypto';
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

/** Shopper ids never reach logs in clear: a short, stable hash lets ops correlate lines. */
export function shopperRef(shopperId: string): string {
  return createHash('sha256').update(shopperId).digest('hex').slice(0, 12);
}
