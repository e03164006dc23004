import { FEATURE_NAMES, type FeatureName } from '../config/schema.js';
import type { Metrics } from './metrics.js';

/**
 * "Feature adoption" for ops: how many distinct shoppers, seen on a search within the window,
 * had each feature on (store defaults plus their own settings). Bounded: at most `maxShoppers`
 * are remembered (oldest forgotten first), so memory stays flat whatever the traffic.
 */
export class FeatureAdoption {
  private readonly seen = new Map<string, { mask: number; at: number }>();
  private readonly counts = new Array<number>(FEATURE_NAMES.length).fill(0);

  constructor(
    private readonly gauge: Metrics['featureAdoption'],
    private readonly windowMs = 24 * 60 * 60 * 1000,
    private readonly maxShoppers = 100_000,
  ) {
    for (const feature of FEATURE_NAMES) gauge.set({ feature }, 0);
  }

  observe(shopperId: string, features: readonly FeatureName[], now: number): void {
    let mask = 0;
    for (const feature of features) mask |= 1 << FEATURE_NAMES.indexOf(feature);
    const previous = this.seen.get(shopperId);
    if (previous) {
      this.seen.delete(shopperId);
      // The same features as last time (nearly every search): no gauge moves.
      if (previous.mask !== mask) {
        this.adjust(previous.mask, -1);
        this.adjust(mask, +1);
      }
    } else {
      this.adjust(mask, +1);
    }
    this.seen.set(shopperId, { mask, at: now });
    for (const [id, entry] of this.seen) {
      if (this.seen.size <= this.maxShoppers && now - entry.at <= this.windowMs) break;
      this.seen.delete(id);
      this.adjust(entry.mask, -1);
    }
  }

  private adjust(mask: number, delta: number): void {
    if (mask === 0) return;
    FEATURE_NAMES.forEach((feature, i) => {
      if (mask & (1 << i)) {
        this.counts[i]! += delta;
        this.gauge.set({ feature }, this.counts[i]!);
      }
    });
  }
}
