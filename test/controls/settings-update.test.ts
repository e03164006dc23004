import { describe, expect, it } from 'vitest';
import { applySettingsUpdate, parseSettingsUpdate } from '../../src/controls/settings-update.js';
import type { ShopperSettings } from '../../src/personalization/types.js';

const parse = (body: unknown, extra: string[] = []) => parseSettingsUpdate(body, extra);

describe('settings update: validation names the field', () => {
  it('accepts a full valid update and normalizes preferences', () => {
    const result = parse({ personalization: true, features: { usual: false, reorder: null }, dietary: ['Gluten Free', 'vegan', 'gluten_free'], strength: 0.3 });
    expect(result).toEqual({ ok: true, update: { personalization: true, features: { usual: false, reorder: null }, dietary: ['gluten-free', 'vegan'], strength: 0.3 } });
  });

  it.each([
    [null, 'body'],
    [[], 'body'],
    ['off', 'body'],
    [42, 'body'],
    [{ personalisation: false }, 'personalisation'],
    [{ personalization: 'no' }, 'personalization'],
    [{ features: { usual: 'off' } }, 'features.usual'],
    [{ features: { teleport: true } }, 'features.teleport'],
    [{ features: [] }, 'features'],
    [{ dietary: 'vegan' }, 'dietary'],
    [{ dietary: ['vegan', 'carnivore'] }, 'dietary.1'],
    [{ dietary: [''] }, 'dietary.0'],
    [{ dietary: Array.from({ length: 21 }, () => 'vegan') }, 'dietary'],
    [{ strength: 2 }, 'strength'],
    [{ strength: '0.5' }, 'strength'],
    [{ __proto__: { personalization: false }, constructor: 1 }, 'constructor'],
  ])('refuses %j naming %s', (body, field) => {
    const result = parse(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.field).toBe(field);
  });

  it('accepts store-defined preferences only when configured', () => {
    expect(parse({ dietary: ['local'] }).ok).toBe(false);
    expect(parse({ dietary: ['Local'] }, ['local'])).toEqual({ ok: true, update: { dietary: ['local'] } });
  });
});

describe('settings update: applying', () => {
  const current: ShopperSettings = { personalization: true, features: { usual: false, reorder: true }, dietary: ['halal'], strength: 0.8, updatedAt: 1 };

  it('keeps fields that were left out, and resets a feature with null', () => {
    const next = applySettingsUpdate(current, { features: { reorder: null, dietary: false } }, 5);
    expect(next).toEqual({ personalization: true, features: { usual: false, dietary: false }, dietary: ['halal'], strength: 0.8, updatedAt: 5 });
  });

  it('turns personalization off and clears strength with null', () => {
    expect(applySettingsUpdate(current, { personalization: false, strength: null }, 7)).toEqual({
      personalization: false,
      features: { usual: false, reorder: true },
      dietary: ['halal'],
      updatedAt: 7,
    });
  });

  it('starts from the defaults for a shopper without settings, without touching the input', () => {
    expect(applySettingsUpdate(null, { dietary: ['vegan'] }, 9)).toEqual({ personalization: true, features: {}, dietary: ['vegan'], updatedAt: 9 });
    applySettingsUpdate(current, { features: { usual: true } }, 9);
    expect(current.features.usual).toBe(false);
  });
});
