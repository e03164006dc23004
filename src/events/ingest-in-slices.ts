import type { ShopperEvent } from '../personalization/types.js';
import { nextTurn, slicesByItems } from './batch-slices.js';
import { ingestEvents, type IngestResult } from './ingest-events.js';

type IngestDeps = Parameters<typeof ingestEvents>[0];
type Source = Parameters<typeof ingestEvents>[3];

const itemsOf = (event: ShopperEvent) => event.items.length;

/**
 * A validated batch applied `sliceItems` items at a time, each slice one store write, with a turn
 * of the event loop in between: the profile update of a large batch never holds a search up for
 * longer than one slice. Event ids keep it safe to retry: a slice already kept counts as a
 * duplicate the second time. A slice that is not kept (opted out meanwhile, or refused) ends the
 * batch with that answer: a refusal is never turned into an acknowledgement.
 *
 * ```ts
 * const result = await ingestInSlices(deps, 'shopper-1', events, 'api', Date.now(), 250);
 * ```
 */
export async function ingestInSlices(deps: IngestDeps, shopperId: string, events: ShopperEvent[], source: Source, now: number, sliceItems: number): Promise<IngestResult> {
  const slices = slicesByItems(events, itemsOf, sliceItems);
  if (slices.length <= 1) return ingestEvents(deps, shopperId, events, source, now);
  let applied = 0;
  let duplicates = 0;
  let journaled = false;
  for (const [n, slice] of slices.entries()) {
    if (n > 0) await nextTurn();
    const result = await ingestEvents(deps, shopperId, slice, source, now);
    if (!result.stored) return result;
    applied += result.applied;
    duplicates += result.duplicates;
    journaled ||= result.journaled;
  }
  return { stored: true, applied, duplicates, journaled };
}
