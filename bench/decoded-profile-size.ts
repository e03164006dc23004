// Heap taken by decoded profiles (the memory store keeps the most recently read ones decoded):
// 2,048 bench shoppers' profiles, encoded and then decoded.  node --expose-gc --import tsx bench/decoded-profile-size.ts
import { parseConfig } from '../src/config/load-config.js';
import { parseEventBatch } from '../src/events/parse-event-batch.js';
import { createProfileUpdater } from '../src/personalization/profile-update.js';
import { decodeProfile, encodeProfile } from '../src/store/profile-codec.js';
import { purchaseEvents } from './shoppers.js';
const config = parseConfig('{}', 'x', {});
const update = createProfileUpdater(config.personalization);
const now = Date.now();
const encoded: Buffer[] = [];
for (let i = 0; i < 2048; i++) {
  const parsed = parseEventBatch({ events: purchaseEvents(`s${i}`, i % 200, now) }, config.events, now) as { ok: true; batch: { events: never[] } };
  const state = update({ profile: null, session: null }, parsed.batch.events, now);
  encoded.push(encodeProfile(state.profile!));
}
const bytes = encoded.reduce((s, b) => s + b.length, 0) / encoded.length;
globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const decoded = encoded.map((b) => decodeProfile(b));
globalThis.gc?.();
const after = process.memoryUsage().heapUsed;
console.log({ encodedBytes: Math.round(bytes), decodedHeapPerProfile: Math.round((after - before) / decoded.length), totalMiB: ((after - before) / 1048576).toFixed(1), products: Object.keys(decoded[0]!.products).length });
