import { describe, expect, it } from 'vitest';
import { createShopperRateLimiter } from '../../src/events/shopper-rate-limiter.js';

const limit = { perSecond: 2, burst: 3 };

describe('shopper rate limiter (token bucket)', () => {
  it('lets a burst through, then refuses with the seconds until the next token', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 10 });
    const t = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('a', limit, t).allowed)).toEqual([true, true, true]);
    expect(limiter.take('a', limit, t)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Half a second at 2 tokens/s is one token.
    expect(limiter.take('a', limit, t + 500).allowed).toBe(true);
    expect(limiter.take('a', limit, t + 500).allowed).toBe(false);
  });

  it('keeps shoppers apart', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 10 });
    for (let i = 0; i < 3; i++) limiter.take('a', limit, 0);
    expect(limiter.take('a', limit, 0).allowed).toBe(false);
    expect(limiter.take('b', limit, 0).allowed).toBe(true);
  });

  it('never refills beyond the burst, and a clock step back mints nothing', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 10 });
    limiter.take('a', limit, 0);
    const later = 3_600_000;
    expect([1, 2, 3, 4].map(() => limiter.take('a', limit, later).allowed)).toEqual([true, true, true, false]);
    expect(limiter.take('a', limit, later - 60_000).allowed).toBe(false);
  });

  it('rounds Retry-After up for slow rates', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 10 });
    const slow = { perSecond: 0.1, burst: 1 };
    expect(limiter.take('a', slow, 0).allowed).toBe(true);
    expect(limiter.take('a', slow, 0)).toEqual({ allowed: false, retryAfterSeconds: 10 });
    expect(limiter.take('a', slow, 2_500)).toEqual({ allowed: false, retryAfterSeconds: 8 });
  });

  it('0 per second means no limit', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 10 });
    for (let i = 0; i < 1000; i++) expect(limiter.take('a', { perSecond: 0, burst: 1 }, 0).allowed).toBe(true);
    expect(limiter.size()).toBe(0);
  });

  it('holds at most maxShoppers buckets, evicting the least recently seen', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 100 });
    for (let i = 0; i < 1000; i++) limiter.take(`s${i}`, limit, 0);
    expect(limiter.size()).toBe(100);
    // s999 was kept (recent) and has spent a token; s0 was evicted and starts with a full bucket.
    limiter.take('s999', limit, 0);
    limiter.take('s999', limit, 0);
    expect(limiter.take('s999', limit, 0).allowed).toBe(false);
    expect([1, 2, 3].map(() => limiter.take('s0', limit, 0).allowed)).toEqual([true, true, true]);
  });

  it('takes a cost per call (items), refusing what the bucket cannot pay and saying when it can', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 10 });
    const items = { perSecond: 100, burst: 1000 };
    expect(limiter.take('a', items, 0, 600).allowed).toBe(true);
    // 400 left: 600 more must wait for 200 items' refill, 2 s at 100/s.
    expect(limiter.take('a', items, 0, 600)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(limiter.take('a', items, 0, 400).allowed).toBe(true);
    expect(limiter.take('a', items, 1_000, 100).allowed).toBe(true);
    expect(limiter.take('a', items, 1_000, 1).allowed).toBe(false);
  });

  it('lets a cost above the burst through on a full bucket only, and then holds the average rate', () => {
    const limiter = createShopperRateLimiter({ maxShoppers: 10 });
    const items = { perSecond: 100, burst: 1000 };
    expect(limiter.take('a', items, 0, 3000).allowed).toBe(true);
    // 2,000 in debt: the bucket is full again after 30 s, not after 10 s.
    expect(limiter.take('a', items, 10_000, 1)).toEqual({ allowed: false, retryAfterSeconds: 11 });
    expect(limiter.take('a', items, 29_000, 1000).allowed).toBe(false);
    expect(limiter.take('a', items, 30_000, 1000).allowed).toBe(true);
  });
});
