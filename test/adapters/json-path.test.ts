import { describe, expect, it } from 'vitest';
import { compilePath, getAt, getPath, setPath } from '../../src/adapters/json-path.js';

describe('getPath', () => {
  const document = { data: { items: [{ id: 'a' }, { id: 'b', tags: ['x'] }] }, '0': 'zero-key', n: null };

  it('"" is the document itself', () => {
    expect(getPath(document, '')).toBe(document);
    expect(getPath([1, 2], '')).toEqual([1, 2]);
  });

  it('walks objects and indexes arrays with numeric segments', () => {
    expect(getPath(document, 'data.items')).toBe(document.data.items);
    expect(getPath(document, 'data.items.1.id')).toBe('b');
    expect(getPath(document, 'data.items.1.tags.0')).toBe('x');
    expect(getPath([[1, 2], [3]], '1.0')).toBe(3);
  });

  it('treats a numeric segment on an object as a key', () => {
    expect(getPath(document, '0')).toBe('zero-key');
  });

  it('finds nothing past the end, through primitives, or with non-index array segments', () => {
    expect(getPath(document, 'data.items.2.id')).toBeUndefined();
    expect(getPath(document, 'data.items.01')).toBeUndefined();
    expect(getPath(document, 'data.items.length')).toBeUndefined();
    expect(getPath(document, 'data.items.-1')).toBeUndefined();
    expect(getPath(document, 'data.items.0.id.length')).toBeUndefined();
    expect(getPath(document, 'n.x')).toBeUndefined();
    expect(getPath(document, 'missing.x')).toBeUndefined();
  });

  it('keeps a null value that is there', () => {
    expect(getPath(document, 'n')).toBeNull();
  });

  it('never reads inherited or prototype properties', () => {
    expect(getPath({}, 'toString')).toBeUndefined();
    expect(getPath({}, 'constructor')).toBeUndefined();
    expect(getPath({}, '__proto__')).toBeUndefined();
    expect(getPath({}, 'constructor.prototype')).toBeUndefined();
    // JSON.parse makes "__proto__" an own key; it still never matches.
    expect(getPath(JSON.parse('{"__proto__":{"brand":"x"}}'), '__proto__.brand')).toBeUndefined();
    expect(getPath({ a: { prototype: 1 } }, 'a.prototype')).toBeUndefined();
  });

  it('rejects paths with empty segments', () => {
    for (const bad of ['a..b', '.a', 'a.', '.']) {
      expect(() => compilePath(bad)).toThrow(/empty segment/);
    }
  });

  it('a compiled path can be reused across documents', () => {
    const path = compilePath('meta.brand');
    expect(getAt({ meta: { brand: 'A' } }, path)).toBe('A');
    expect(getAt({ meta: { brand: 'B' } }, path)).toBe('B');
    expect(path.source).toBe('meta.brand');
  });
});

describe('setPath', () => {
  it('sets an existing key and an array element', () => {
    const document = { a: { b: 1 }, list: [{ x: 1 }] };
    expect(setPath(document, 'a.b', 2)).toBe(true);
    expect(setPath(document, 'list.0.x', 5)).toBe(true);
    expect(document).toEqual({ a: { b: 2 }, list: [{ x: 5 }] });
  });

  it('creates missing intermediate objects', () => {
    const document: Record<string, unknown> = { keep: true };
    expect(setPath(document, 'x.y.z', 1)).toBe(true);
    expect(document).toEqual({ keep: true, x: { y: { z: 1 } } });
  });

  it('appends at an array end but not beyond it', () => {
    const list = [1];
    expect(setPath(list, '1', 2)).toBe(true);
    expect(setPath(list, '5', 9)).toBe(false);
    expect(setPath(list, 'name', 9)).toBe(false);
    expect(list).toEqual([1, 2]);
  });

  it('changes nothing when it cannot set (document itself, through a primitive)', () => {
    const document = { a: 'text', b: null };
    expect(setPath(document, '', 1)).toBe(false);
    expect(setPath(document, 'a.x', 1)).toBe(false);
    expect(setPath(document, 'b.x.y', 1)).toBe(false);
    expect(setPath('text', 'a', 1)).toBe(false);
    expect(document).toEqual({ a: 'text', b: null });
  });

  it('never writes through __proto__, constructor or prototype', () => {
    const document: Record<string, unknown> = {};
    expect(setPath(document, '__proto__.polluted', true)).toBe(false);
    expect(setPath(document, 'constructor.prototype.polluted', true)).toBe(false);
    expect(setPath(document, 'a.__proto__', { polluted: true })).toBe(false);
    expect(setPath(document, 'prototype', 1)).toBe(false);
    expect(document).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(document)).toBe(Object.prototype);
  });
});
