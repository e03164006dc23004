import { describe, expect, it } from 'vitest';
import { EARLIEST_EVENT_AT, MAX_TAGS_PER_ITEM, parseEnvelopeEventsInSlices, parseEventBatch, readBatchEnvelope } from '../../src/events/parse-event-batch.js';

const limits = { maxBatch: 3, maxItemsPerEvent: 2 };
const now = Date.UTC(2026, 10, 26, 12);
const DAY = 86_400_000;
const purchase = (extra: Record<string, unknown> = {}) => ({ id: 'e1', type: 'purchase', items: [{ id: 'p1', quantity: 2 }], ...extra });

function fieldOf(body: unknown): string | undefined {
  const result = parseEventBatch(body, limits, now);
  return result.ok ? undefined : result.field;
}

describe('parseEventBatch', () => {
  it('turns a valid batch into domain events (defaults: now, quantity 1, numeric ids as strings)', () => {
    const result = parseEventBatch({ events: [purchase(), { id: 'e2', type: 'view', at: '2026-11-25T10:00:00Z', items: [{ id: 7 }] }] }, limits, now);
    expect(result).toEqual({
      ok: true,
      batch: {
        events: [
          { id: 'e1', type: 'purchase', at: now, items: [{ id: 'p1', quantity: 2 }] },
          { id: 'e2', type: 'view', at: Date.parse('2026-11-25T10:00:00Z'), items: [{ id: '7', quantity: 1 }] },
        ],
      },
    });
  });

  it('names the path of the first bad field', () => {
    expect(fieldOf({ events: [purchase(), purchase({ type: 'teleport' })] })).toBe('events.1.type');
    expect(fieldOf({ events: [purchase({ items: [{ id: 'p', quantity: -1 }] })] })).toBe('events.0.items.0.quantity');
    expect(fieldOf({ events: [purchase({ colour: 'red' })] })).toBe('events.0.colour');
    expect(fieldOf({ events: [purchase({ items: [{ id: 'p', weight: 3 }] })] })).toBe('events.0.items.0.weight');
    expect(fieldOf({ events: [purchase({ id: 'has space' })] })).toBe('events.0.id');
    expect(fieldOf({ events: [purchase({ items: [] })] })).toBe('events.0.items');
    expect(fieldOf({ events: [] })).toBe('events');
    expect(fieldOf([])).toBe('(body)');
    expect(fieldOf('text')).toBe('(body)');
  });

  it('enforces the configured batch and item limits', () => {
    expect(fieldOf({ events: [purchase(), purchase(), purchase(), purchase()] })).toBe('events');
    expect(fieldOf({ events: [purchase({ items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] })] })).toBe('events.0.items');
    expect(fieldOf({ events: [purchase({ items: [{ id: 'a' }, { id: 'b' }] })] })).toBeUndefined();
  });

  it('lets a search event go without items', () => {
    expect(fieldOf({ events: [{ type: 'search', query: 'oat milk' }] })).toBeUndefined();
  });

  it(`refuses more than ${MAX_TAGS_PER_ITEM} tags on an item, naming the tags`, () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `tag-${i}`);
    expect(fieldOf({ events: [purchase({ items: [{ id: 'p', tags: tags(MAX_TAGS_PER_ITEM) }] })] })).toBeUndefined();
    expect(fieldOf({ events: [purchase({ items: [{ id: 'p', tags: tags(MAX_TAGS_PER_ITEM + 1) }] })] })).toBe('events.0.items.0.tags');
  });

  it('refuses event times more than a day ahead or before 2000, naming the field', () => {
    expect(fieldOf({ events: [purchase({ at: 9e15 })] })).toBe('events.0.at');
    expect(fieldOf({ events: [purchase(), purchase({ at: now + DAY + 1 })] })).toBe('events.1.at');
    expect(fieldOf({ events: [purchase({ at: '9999-01-01T00:00:00Z' })] })).toBe('events.0.at');
    expect(fieldOf({ events: [purchase({ at: EARLIEST_EVENT_AT - 1 })] })).toBe('events.0.at');
    // Seconds instead of milliseconds: 1970.
    expect(fieldOf({ events: [purchase({ at: Math.floor(now / 1000) })] })).toBe('events.0.at');
    expect(fieldOf({ events: [purchase({ at: now + DAY })] })).toBeUndefined();
    expect(fieldOf({ events: [purchase({ at: EARLIEST_EVENT_AT })] })).toBeUndefined();
    expect(fieldOf({ events: [purchase({ at: '2000-01-01T00:00:00+01:00' })] })).toBe('events.0.at');
  });

  it('counts the items of all events against the per-call limit before validating any event', () => {
    const withItems = { ...limits, maxItemsPerBatch: 3 };
    const two = purchase({ items: [{ id: 'a' }, { id: 'b' }] });
    expect(readBatchEnvelope({ events: [two, two] }, withItems)).toMatchObject({ ok: false, field: 'events', message: expect.stringContaining('at most 3 items') as unknown as string });
    // The count comes first: a bad event in an oversized call is not looked at.
    expect(readBatchEnvelope({ events: [two, { type: 'teleport', items: [{ id: 'c' }, { id: 'd' }] }] }, withItems)).toMatchObject({ field: 'events' });
    expect(readBatchEnvelope({ events: [two, purchase()] }, withItems)).toMatchObject({ ok: true, envelope: { items: 3 } });
  });

  it('validates in slices with the same answer as in one go', async () => {
    const wide = { maxBatch: 50, maxItemsPerEvent: 10 };
    const events = Array.from({ length: 40 }, (_, i) => purchase({ id: `e${i}`, items: [{ id: `p${i}` }, { id: `q${i}` }] }));
    const envelope = (body: unknown) => {
      const read = readBatchEnvelope(body, wide);
      if (!read.ok) throw new Error(read.message);
      return read.envelope;
    };
    expect(await parseEnvelopeEventsInSlices(envelope({ events }), wide, now, 5)).toEqual(parseEventBatch({ events }, wide, now));
    const bad = [...events.slice(0, 30), purchase({ at: 9e15 }), ...events.slice(30)];
    expect(await parseEnvelopeEventsInSlices(envelope({ events: bad }), wide, now, 5)).toMatchObject({ ok: false, field: 'events.30.at' });
  });
});
