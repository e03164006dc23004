import { describe, expect, it } from 'vitest';
import { eventKey } from '../../src/store/event-key.js';
import { createKeyLayout, InvalidShopperIdError, isKeySafeShopperId } from '../../src/store/redis-keys.js';

describe('redis key layout', () => {
  it('puts every key of a shopper under one hash tag and the prefix', () => {
    const keys = createKeyLayout('shop1').shopper('anon:Ab_9.x@y-z');
    expect(keys).toEqual({
      profile: 'shop1:{u:anon:Ab_9.x@y-z}:p',
      settings: 'shop1:{u:anon:Ab_9.x@y-z}:s',
      session: 'shop1:{u:anon:Ab_9.x@y-z}:c',
      seenEvents: 'shop1:{u:anon:Ab_9.x@y-z}:e',
    });
  });

  it('refuses ids that could escape their key or hash tag', () => {
    const layout = createKeyLayout('sidecart');
    for (const bad of ['', 'a}b', '{x}', 'a b', 'a\nb', 'é', 'x'.repeat(257), 'a*b']) {
      expect(isKeySafeShopperId(bad)).toBe(false);
      expect(() => layout.shopper(bad)).toThrow(InvalidShopperIdError);
    }
    expect(isKeySafeShopperId('x'.repeat(256))).toBe(true);
  });

  it('refuses a prefix outside the config charset', () => {
    expect(() => createKeyLayout('a:b')).toThrow(/keyPrefix/);
    expect(() => createKeyLayout('')).toThrow(/keyPrefix/);
  });

  it('keeps short event ids and hashes long ones to 16 characters, without collisions between the two', () => {
    expect(eventKey('evt-1')).toBe('evt-1');
    const long = eventKey('3f6c1a52-6a0b-4d8e-9c1e-2b7f0d9e8a11');
    expect(long).toHaveLength(16);
    expect(long.startsWith('#')).toBe(true);
    expect(eventKey('3f6c1a52-6a0b-4d8e-9c1e-2b7f0d9e8a12')).not.toBe(long);
    expect(eventKey('#short')).not.toBe('#short');
  });
});
