// Small, pure helpers for the bench's numbers.

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Cumulative buckets of one Prometheus histogram (summed over labels) from the text format. */
export function histogramBuckets(metricsText: string, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  const pattern = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm');
  for (const match of metricsText.matchAll(pattern)) {
    const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** The buckets observed between two scrapes. */
export function bucketDelta(before: Map<number, number>, after: Map<number, number>): Map<number, number> {
  const delta = new Map<number, number>();
  for (const [le, count] of after) delta.set(le, count - (before.get(le) ?? 0));
  return delta;
}

/**
 * The q-quantile of a cumulative histogram, interpolated linearly inside its bucket (what
 * Prometheus's histogram_quantile does). Returns the bucket bound in the same unit as `le`.
 */
export function histogramQuantile(buckets: Map<number, number>, q: number): { value: number; upperBound: number; count: number } {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return { value: NaN, upperBound: NaN, count: 0 };
  const rank = q * total;
  let previousLe = 0;
  let previousCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return { value: previousLe, upperBound: Infinity, count: total };
      const inBucket = count - previousCount;
      const value = inBucket === 0 ? le : previousLe + ((le - previousLe) * (rank - previousCount)) / inBucket;
      return { value, upperBound: le, count: total };
    }
    previousLe = le;
    previousCount = count;
  }
  return { value: previousLe, upperBound: Infinity, count: total };
}
