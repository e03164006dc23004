import type { ProfileStore } from '../store/profile-store.js';

/**
 * Erases a shopper everywhere the store keeps data (Redis, memory, replay journal). A shopper
 * who turned personalization off keeps exactly that switch, so the deletion cannot turn
 * personalization back on for them; their other settings (dietary and cultural preferences can
 * be religious or health data) go too: the opt-out is rewritten bare first, then everything but
 * it is erased. Everyone else is erased completely.
 */
export async function eraseShopper(store: ProfileStore, shopperId: string, now: number): Promise<{ keptOptOut: boolean }> {
  const { record } = await store.read(shopperId, now);
  const keptOptOut = record.settings?.personalization === false;
  if (keptOptOut) await store.writeSettings(shopperId, { personalization: false, features: {}, dietary: [], updatedAt: now });
  await store.erase(shopperId, keptOptOut);
  return { keptOptOut };
}
