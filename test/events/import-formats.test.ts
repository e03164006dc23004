import { describe, expect, it } from 'vitest';
import { detectFormat, OrderGrouper, parseCsvHeader, parseCsvRow, parseJsonlLine, type CsvColumns, type OrderLine } from '../../src/events/import-formats.js';

const limits = { maxItemsPerEvent: 3, maxIdLength: 64 };
// After every event time used below: an event more than a day ahead of now is refused.
const now = Date.UTC(2026, 11, 1);

describe('JSONL lines', () => {
  it('parses an event with its shopper, keeping a given id', () => {
    const line = '{"shopperId":"u-1","id":"o-77","type":"purchase","at":"2026-01-05T10:00:00Z","items":[{"id":"sku-1","quantity":2,"brand":"Oatly"}]}';
    expect(parseJsonlLine(line, limits, now)).toEqual({
      ok: true,
      value: { shopperId: 'u-1', event: { id: 'o-77', type: 'purchase', at: Date.parse('2026-01-05T10:00:00Z'), items: [{ id: 'sku-1', quantity: 2, brand: 'Oatly' }] } },
    });
  });

  it('derives a stable id from shopper and content when none is given', () => {
    const line = '{"shopperId":"u-1","type":"view","items":[{"id":"a"}]}';
    const a = parseJsonlLine(line, limits, now);
    const b = parseJsonlLine(line, limits, now + 5);
    const other = parseJsonlLine(line.replace('u-1', 'u-2'), limits, now);
    expect(a.ok && b.ok && other.ok).toBe(true);
    if (a.ok && b.ok && other.ok) {
      expect(a.value.event.id).toBe(b.value.event.id);
      expect(a.value.event.id).not.toBe(other.value.event.id);
    }
  });

  it('rejects with the field that is wrong', () => {
    expect(parseJsonlLine('{"type":"view","items":[{"id":"a"}]}', limits, now)).toMatchObject({ ok: false, message: expect.stringMatching(/^shopperId/) as unknown as string });
    expect(parseJsonlLine('{"shopperId":"u","type":"buy","items":[{"id":"a"}]}', limits, now)).toMatchObject({ ok: false, message: expect.stringMatching(/^type:/) as unknown as string });
    expect(parseJsonlLine('{"shopperId":"u","type":"view","items":[{"id":"a","quantity":-1}]}', limits, now)).toMatchObject({ ok: false, message: expect.stringMatching(/^items\.0\.quantity:/) as unknown as string });
    expect(parseJsonlLine('{"shopperId":', limits, now)).toMatchObject({ ok: false, message: expect.stringMatching(/^not JSON/) as unknown as string });
    expect(parseJsonlLine('[1]', limits, now).ok).toBe(false);
  });
});

describe('CSV order history', () => {
  const header = parseCsvHeader('Shopper_ID,order_id,product_id,quantity,at,brand,category,price,tags,ignored');
  const columns = (header.ok ? header.value : {}) as CsvColumns;

  it('finds the columns by name, in any order, and names the missing ones', () => {
    expect(header.ok).toBe(true);
    expect(parseCsvHeader('at,product_id,order_id,shopper_id')).toEqual({ ok: true, value: { shopper_id: 3, order_id: 2, product_id: 1, at: 0 } });
    expect(parseCsvHeader('shopper_id,product_id')).toMatchObject({ ok: false, message: expect.stringContaining('order_id, at') as unknown as string });
  });

  it('parses a row with optional fields, quoted commas, tags and several time forms', () => {
    expect(parseCsvRow('u1,o1,milk,2,2026-01-01T10:00:00Z,"Oat, Inc.",dairy,1.99,vegan|lactose-free;organic,x', columns, limits)).toEqual({
      ok: true,
      value: { shopperId: 'u1', orderId: 'o1', at: Date.parse('2026-01-01T10:00:00Z'), item: { id: 'milk', quantity: 2, brand: 'Oat, Inc.', category: 'dairy', price: 1.99, tags: ['vegan', 'lactose-free', 'organic'] } },
    });
    const seconds = parseCsvRow('u1,o1,milk,,1767261600,,,,', columns, limits);
    expect(seconds).toMatchObject({ ok: true, value: { at: 1_767_261_600_000, item: { id: 'milk', quantity: 1 } } });
    expect(parseCsvRow('u1,o1,milk,1,1767261600000,,,,', columns, limits)).toMatchObject({ ok: true, value: { at: 1_767_261_600_000 } });
  });

  it('rejects a bad row naming the column', () => {
    const message = (row: string) => {
      const r = parseCsvRow(row, columns, limits);
      return r.ok ? null : r.message.split(':')[0];
    };
    expect(message('bad id!,o1,milk,1,2026-01-01')).toBe('shopper_id');
    expect(message('u1,,milk,1,2026-01-01')).toBe('order_id');
    expect(message('u1,o1,,1,2026-01-01')).toBe('product_id');
    expect(message('u1,o1,milk,0,2026-01-01')).toBe('quantity');
    expect(message('u1,o1,milk,1,yesterday')).toBe('at');
    expect(message('u1,o1,milk,1,2026-01-01,,,-3')).toBe('price');
  });
});

describe('OrderGrouper', () => {
  const row = (shopperId: string, orderId: string, id: string, quantity = 1): OrderLine => ({ shopperId, orderId, at: 1000, item: { id, quantity } });

  it('makes one purchase per run of rows of the same order, merging repeated products', () => {
    const grouper = new OrderGrouper(10);
    expect(grouper.add(row('u1', 'o1', 'a'), 0, 2)).toBeNull();
    expect(grouper.add(row('u1', 'o1', 'b'), 10, 3)).toBeNull();
    expect(grouper.add(row('u1', 'o1', 'a', 2), 20, 4)).toBeNull();
    expect(grouper.openAt()).toEqual({ start: 0, lineNo: 2 });
    const first = grouper.add(row('u2', 'o2', 'c'), 30, 5)!;
    expect(first).toMatchObject({ shopperId: 'u1', start: 0, lineNo: 2, event: { type: 'purchase', at: 1000, items: [{ id: 'a', quantity: 3 }, { id: 'b', quantity: 1 }] } });
    const second = grouper.flush()!;
    expect(second).toMatchObject({ shopperId: 'u2', start: 30, event: { items: [{ id: 'c', quantity: 1 }] } });
    expect(grouper.flush()).toBeNull();
  });

  it('derives the event id from shopper, order and products only (a rerun gives the same ids)', () => {
    const idOf = (rows: OrderLine[]) => {
      const grouper = new OrderGrouper(10);
      rows.forEach((r, i) => grouper.add(r, i, i + 1));
      return grouper.flush()!.event.id;
    };
    const id = idOf([row('u1', 'o1', 'a'), row('u1', 'o1', 'b')]);
    expect(idOf([row('u1', 'o1', 'b'), row('u1', 'o1', 'a')])).toBe(id);
    expect(idOf([row('u1', 'o1', 'a'), row('u1', 'o1', 'b', 5)])).toBe(id);
    expect(idOf([row('u2', 'o1', 'a'), row('u2', 'o1', 'b')])).not.toBe(id);
    expect(idOf([row('u1', 'o9', 'a'), row('u1', 'o9', 'b')])).not.toBe(id);
    expect(id).toMatch(/^ord-[A-Za-z0-9_-]{24}$/);
  });

  it('splits an order larger than the item limit into parts with distinct ids', () => {
    const grouper = new OrderGrouper(2);
    grouper.add(row('u1', 'o1', 'a'), 0, 1);
    grouper.add(row('u1', 'o1', 'b'), 1, 2);
    const full = grouper.add(row('u1', 'o1', 'c'), 2, 3)!;
    const rest = grouper.flush()!;
    expect(full.event.items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(rest.event.items.map((i) => i.id)).toEqual(['c']);
    expect(full.event.id).not.toBe(rest.event.id);
  });
});

describe('detectFormat', () => {
  it('goes by extension, else by the first line', () => {
    expect(detectFormat('a.csv', '{')).toBe('csv');
    expect(detectFormat('a.ndjson', 'x')).toBe('jsonl');
    expect(detectFormat('a.JSONL', 'x')).toBe('jsonl');
    expect(detectFormat('export.txt', '  {"shopperId":1}')).toBe('jsonl');
    expect(detectFormat('export.txt', 'shopper_id,order_id')).toBe('csv');
  });
});
