import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../src/experiments/recent-map.js';

describe('RecentMap', () => {
  it('keeps between max/2 and max of the most recently used keys', () => {
    const map = new RecentMap<number, string>(() => 10);
    for (let i = 0; i < 1000; i++) {
      map.set(i, `v${i}`);
      expect(map.size).toBeLessThanOrEqual(10);
    }
    for (let i = 995; i < 1000; i++) expect(map.get(i)).toBe(`v${i}`);
    expect(map.get(0)).toBeUndefined();
    expect(map.get(980)).toBeUndefined();
  });

  it('a key that keeps being used survives however many others come and go', () => {
    const map = new RecentMap<string, number>(() => 4);
    map.set('regular', 1);
    for (let i = 0; i < 100; i++) {
      map.set(`once-${i}`, i);
      expect(map.get('regular')).toBe(1);
    }
    map.set('regular', 2);
    expect(map.get('regular')).toBe(2);
    expect(map.size).toBeLessThanOrEqual(4);
  });

  it('follows a smaller live bound', () => {
    let max = 100;
    const map = new RecentMap<number, number>(() => max);
    for (let i = 0; i < 100; i++) map.set(i, i);
    max = 4;
    for (let i = 100; i < 110; i++) map.set(i, i);
    expect(map.size).toBeLessThanOrEqual(4);
  });
});
