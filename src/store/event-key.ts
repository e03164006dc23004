import { createHash } from 'node:crypto';

// How an event id is remembered for idempotency, in memory and in Redis. Short ids are kept as
// they are; longer ones (UUIDs, client-made ids) become 16 characters of their SHA-256, so a
// shopper's seen-id set stays small (a Redis sorted set of short members stays listpack-encoded).

const MAX_RAW = 16;

export function eventKey(eventId: string): string {
  if (eventId.length <= MAX_RAW && !eventId.startsWith('#')) return eventId;
  return '#' + createHash('sha256').update(eventId).digest('base64url').slice(0, MAX_RAW - 1);
}
