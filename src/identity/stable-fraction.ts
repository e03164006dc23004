/**
 * A stable fraction in [0, 1) for a key: FNV-1a over its UTF-16 code units, then murmur3's
 * finalizer so keys that differ only in their last character spread too. The same key gives the
 * same value in every process and after every restart (experiment assignment, near-cache expiry).
 */
export function stableFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
