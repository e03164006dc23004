// A document re-serialized from its parsed form keeps every number only if no integer is beyond
// 2^53: JSON.parse rounds those (Solr's _version_, Typesense's text_match), and the bytes sent
// would no longer be the backend's values.

// Sixteen digits in a row is the least an unsafe integer needs: the exact check stays off the common path.
const LONG_DIGITS = /\d{16}/;

/** True when re-serializing `text` from JSON.parse would round an integer. */
export function wouldLoseDigits(text: string): boolean {
  if (!LONG_DIGITS.test(text)) return false;
  let unsafe = false;
  JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) unsafe = true;
    return value;
  });
  return unsafe;
}
