import { describe, expect, it } from 'vitest';
import { parseEventBatch } from '../../src/events/parse-event-batch.js';

const limits = { maxBatch: 3, maxItemsPerEvent: 2 };
const now = 1_700_000_000_000;
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
});
