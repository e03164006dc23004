import type { ProfileUpdater } from '../personalization/profile-update.js';
import type { ShopperRecord } from '../personalization/types.js';
import type { JournalEntry } from './replay-journal.js';

/**
 * A shopper's record as it will be once their journaled writes are replayed: the writes applied,
 * in order, over `base` (what Redis holds now). Pure.
 */
export function foldPending(base: ShopperRecord, entries: readonly JournalEntry[], updater: ProfileUpdater): ShopperRecord {
  let { profile, settings, session } = base;
  for (const entry of entries) {
    if (entry.kind === 'events') {
      const next = updater({ profile, session }, entry.events, entry.now);
      profile = next.profile;
      session = next.session;
    } else if (entry.kind === 'settings') {
      settings = entry.settings;
    } else {
      profile = null;
      session = null;
      if (!entry.keepSettings) settings = null;
    }
  }
  return { profile, settings, session };
}
