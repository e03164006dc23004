import { describe, expect, it } from 'vitest';
import { idOf, priceOf, viewOf } from '../../src/adapters/hit-fields.js';

describe('idOf', () => {
  it('keeps strings and turns finite numbers into strings', () => {
    expect(idOf('sku-1')).toBe('sku-1');
    expect(idOf(42)).toBe('42');
    expect(idOf(0)).toBe('0');
    expect(idOf(1.5)).toBe('1.5');
  });

  it('gives "" for anything that is not an id', () => {
    for (const value of [undefined, null, true, {}, ['a'], Number.NaN, Infinity]) expect(idOf(value)).toBe('');
  });
});

describe('priceOf', () => {
  it('reads numbers and numeric strings', () => {
    expect(priceOf(2.5)).toBe(2.5);
    expect(priceOf('2.49')).toBe(2.49);
    expect(priceOf(' 3 ')).toBe(3);
    expect(priceOf('.5')).toBe(0.5);
    expect(priceOf([1.25])).toBe(1.25);
  });

  it('ignores what is not a plain decimal', () => {
    for (const value of ['', 'abc', '1,99', '0x10', '1e3x', '€2', null, { amount: 2 }, Number.NaN]) {
      expect(priceOf(value)).toBeUndefined();
    }
  });
});

describe('viewOf', () => {
  it('takes the first of the common field names that is present', () => {
    expect(viewOf(0, 'a', { brand: 'A', brand_name: 'B', category: 'c1', department: 'd', title: 't', name: 'n' })).toEqual({
      index: 0,
      id: 'a',
      brand: 'A',
      category: 'c1',
      name: 'n',
      tags: [],
    });
    expect(viewOf(1, 'b', { brand_name: 'B', categories: ['c2', 'c3'], product_name: 'p' })).toEqual({
      index: 1,
      id: 'b',
      brand: 'B',
      category: 'c2',
      name: 'p',
      tags: [],
    });
  });

  it('falls through to the next name when a field is empty or not text', () => {
    expect(viewOf(0, 'a', { brand: '', brand_name: 'B', category: null, categories: [], department: 'frozen' })).toMatchObject({
      brand: 'B',
      category: 'frozen',
    });
  });

  it('merges tags, dietary and labels once each; a single string is one tag; non-strings are dropped', () => {
    expect(viewOf(0, 'a', { tags: ['organic', 7, null], dietary: 'vegan', labels: ['organic', 'value'] }).tags).toEqual([
      'organic',
      'vegan',
      'value',
    ]);
  });

  it('gives an empty view for a hit without an object of fields', () => {
    expect(viewOf(3, '', undefined)).toEqual({ index: 3, id: '', tags: [] });
    expect(viewOf(3, 'x', 'text')).toEqual({ index: 3, id: 'x', tags: [] });
  });

  it('reads only own fields', () => {
    const source = Object.create({ brand: 'Inherited' }) as Record<string, unknown>;
    expect(viewOf(0, 'a', source).brand).toBeUndefined();
  });
});
