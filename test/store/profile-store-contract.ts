import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ShopperEvent, ShopperSettings } from '../../src/personalization/types.js';
import type { ProfileStore } from '../../src/store/profile-store.js';
import { purchase } from './profile-fixtures.js';

// One behaviour contract for every ProfileStore (memory, Redis, resilient). Each implementation's
// test file calls this with a factory; the factory gets a fresh namespace per test.

export interface ContractSubject {
  store: ProfileStore;
  cleanup?: () => Promise<void>;
}

let unique = 0;

function view(at: number, id: string): ShopperEvent {
  return { id: `view-${process.pid}-${++unique}`, type: 'view', at, items: [{ id, quantity: 1 }] };
}

export function describeProfileStoreContract(name: string, create: () => Promise<ContractSubject>): void {
  describe(`ProfileStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: ProfileStore;
    const now = Date.now();
    const shopper = () => `shopper-${process.pid}-${++unique}`;

    beforeEach(async () => {
      subject = await create();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup?.();
    });

    it('reads nulls for an unknown shopper', async () => {
      const { record } = await store.read(shopper(), now);
      expect(record).toEqual({ profile: null, settings: null, session: null });
    });

    it('applies events and reads them back', async () => {
      const id = shopper();
      const result = await store.applyEvents(id, [purchase(now, [{ id: 'sku-1', quantity: 2, brand: 'oatly' }, { id: 'sku-2' }])], now);
      expect(result).toMatchObject({ applied: 1, duplicates: 0 });
      const { record } = await store.read(id, now);
      expect(record.profile?.orders).toBe(1);
      expect(record.profile?.products['sku-1']).toMatchObject({ n: 1, q: 2, brand: 'oatly' });
      expect(record.profile?.products['sku-2']?.n).toBe(1);
    });

    it('is idempotent by event id, across calls and inside one batch', async () => {
      const id = shopper();
      const event = purchase(now, [{ id: 'sku-1' }]);
      expect(await store.applyEvents(id, [event, event], now)).toMatchObject({ applied: 1, duplicates: 1 });
      expect(await store.applyEvents(id, [event], now)).toMatchObject({ applied: 0, duplicates: 1 });
      const second = purchase(now, [{ id: 'sku-1' }]);
      expect(await store.applyEvents(id, [event, second], now)).toMatchObject({ applied: 1, duplicates: 1 });
      const { record } = await store.read(id, now);
      expect(record.profile?.products['sku-1']?.n).toBe(2);
    });

    it('applies concurrent writes to one shopper exactly once each', async () => {
      const id = shopper();
      await Promise.all(Array.from({ length: 12 }, () => store.applyEvents(id, [purchase(now, [{ id: 'sku-9' }])], now)));
      const { record } = await store.read(id, now);
      expect(record.profile?.products['sku-9']?.n).toBe(12);
    });

    it('keeps session context from views apart from the profile', async () => {
      const id = shopper();
      await store.applyEvents(id, [view(now, 'sku-7')], now);
      const { record } = await store.read(id, now);
      expect(record.profile).toBeNull();
      expect(record.session?.recent.map((r) => r.id)).toEqual(['sku-7']);
    });

    it('writes and reads settings', async () => {
      const id = shopper();
      const settings: ShopperSettings = { personalization: false, features: { usual: false }, dietary: ['vegan'], updatedAt: now };
      await store.writeSettings(id, settings);
      expect((await store.read(id, now)).record.settings).toEqual(settings);
    });

    it('erases everything, or everything but the settings', async () => {
      const keep = shopper();
      const gone = shopper();
      const settings: ShopperSettings = { personalization: false, features: {}, dietary: [], updatedAt: now };
      const event = purchase(now, [{ id: 'sku-1' }]);
      for (const id of [keep, gone]) {
        await store.applyEvents(id, [event, view(now, 'sku-3')], now);
        await store.writeSettings(id, settings);
      }
      await store.erase(keep, true);
      await store.erase(gone, false);
      expect((await store.read(keep, now)).record).toEqual({ profile: null, settings, session: null });
      expect((await store.read(gone, now)).record).toEqual({ profile: null, settings: null, session: null });
      // The seen event ids went too: the same event now counts as new.
      expect(await store.applyEvents(gone, [event], now)).toMatchObject({ applied: 1 });
    });
  });
}
