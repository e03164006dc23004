import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, personalize } from '../../src/personalization/personalize.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

// Complementary items without store-wide counts (the default: personalization.complementaryStoreWide
// is off): only the shopper's own baskets, and the section says so item by item.

const staples = ['bread', 'eggs', 'milk', 'pasta', 'tea'];
// Five staples every week (the anchors); the last basket also held parmesan and basil.
const profile = profileFrom([purchase(day(0), ...staples), purchase(day(7), ...staples), purchase(day(14), ...staples, 'parmesan', 'basil')], day(15));

describe('complementary from the shopper’s own baskets', () => {
  it('is on by default (it helped offline) and needs no store-wide counts', () => {
    expect(DEFAULT_FEATURES.complementary).toBe(true);
    expect(config().complementaryStoreWide).toBe(false);
  });

  it('lists what was in the same basket as an anchor last time, with that reason; nothing from other shoppers', () => {
    const page = hits(hit('bread', { name: 'Sourdough 800 g' }), hit('rice'));
    const { section } = personalize({ hits: page, record: record(profile), strength: 0.5, config: config(), now: day(15), explain: false });
    expect(section.features).toContain('complementary');
    expect(section.complementary).toEqual([
      { id: 'basil', reason: 'bought with Sourdough 800 g last time' },
      { id: 'parmesan', reason: 'bought with Sourdough 800 g last time' },
    ]);
    expect(section.applied).toContain('complementary');
    expect(section.badges).toContain('Often bought together');
  });

  it('known weak spot: with five products or fewer every product is an anchor, so nothing is left to suggest', () => {
    const small = profileFrom([purchase(day(0), 'pasta'), purchase(day(7), 'pasta'), purchase(day(14), 'pasta', 'parmesan', 'basil')], day(15));
    const { section } = personalize({ hits: hits(hit('rice')), record: record(small), strength: 0.5, config: config(), now: day(15), explain: false });
    expect(section.complementary).toEqual([]);
  });

  it('too little data: a new shopper or one-product baskets give an empty list, and applied does not claim it', () => {
    const single = profileFrom([purchase(day(0), 'pasta'), purchase(day(7), 'pasta')], day(8));
    for (const r of [record(single), record(null)]) {
      const { section } = personalize({ hits: hits(hit('bread')), record: r, strength: 0.5, config: config(), now: day(8), explain: false });
      expect(section.complementary).toEqual([]);
      expect(section.applied).not.toContain('complementary');
    }
  });
});
