import type { SidecartConfig } from './schema.js';

/**
 * The running config. Parts marked tunable (breaker, budgets, strengths, weights, feature
 * defaults, limits) are read through `current()` on each use, so a reload applies at once;
 * ports, upstream URL and Redis connection settings need a restart.
 */
export class LiveConfig {
  private listeners: ((next: SidecartConfig, previous: SidecartConfig) => void)[] = [];
  constructor(
    private config: SidecartConfig,
    readonly file: string,
  ) {}

  current(): SidecartConfig {
    return this.config;
  }

  /** Swap in an already validated config and tell the parts that cache derived state. */
  replace(next: SidecartConfig): void {
    const previous = this.config;
    this.config = next;
    for (const listener of this.listeners) listener(next, previous);
  }

  onChange(listener: (next: SidecartConfig, previous: SidecartConfig) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
