// Pack sizes for quantity memory. A store's product id is one SKU, and a SKU is one pack size, so
// the usual quantity sidecart remembers per product IS the usual quantity per pack size: "2 of
// the 1 l milk" and "1 of the 2 l milk" are two products with their own memory. What is added
// here is only the reading of the pack size from the product's name on the page ("Milk 1 l",
// "Cola 6 x 330 ml", "Eggs 12 pack"), so an item can say "2 × 1 l = 2 l". No conversion between
// pack sizes of one product is attempted (the profile does not know which SKUs are one product).

export interface PackSize {
  /** Units in one pack (6 for "6 x 330 ml"; 1 otherwise). */
  count: number;
  /** Amount per unit in the base unit (g, ml or pcs). */
  amount: number;
  unit: 'g' | 'ml' | 'pcs';
}

const UNITS: Record<string, { unit: PackSize['unit']; factor: number }> = {
  g: { unit: 'g', factor: 1 },
  gr: { unit: 'g', factor: 1 },
  kg: { unit: 'g', factor: 1000 },
  mg: { unit: 'g', factor: 0.001 },
  ml: { unit: 'ml', factor: 1 },
  cl: { unit: 'ml', factor: 10 },
  dl: { unit: 'ml', factor: 100 },
  l: { unit: 'ml', factor: 1000 },
  lt: { unit: 'ml', factor: 1000 },
  ltr: { unit: 'ml', factor: 1000 },
  floz: { unit: 'ml', factor: 29.5735 },
  oz: { unit: 'g', factor: 28.3495 },
  lb: { unit: 'g', factor: 453.592 },
  lbs: { unit: 'g', factor: 453.592 },
};

const NUMBER = String.raw`(\d+(?:[.,]\d+)?)`;
const UNIT = String.raw`fl\.?\s?oz|kg|mg|gr|g|ml|cl|dl|ltr|lt|l|oz|lbs|lb`;
// "6 x 330 ml", "6x330ml", "4 × 1.5 l"
const MULTI = new RegExp(String.raw`(?:^|[^\w.,])(\d{1,3})\s*[x×*]\s*${NUMBER}\s*(${UNIT})\b`, 'i');
// "500 g", "1.5l", "2,5 kg"
const SINGLE = new RegExp(String.raw`(?:^|[^\w.,])${NUMBER}\s*(${UNIT})\b`, 'i');
// "12 pack", "6-pack", "pack of 4", "10 pcs", "6 ct"
const PIECES = /(?:^|[^\w.,])(\d{1,4})\s*-?\s*(?:pack|pk|pcs|pieces|ct|count)\b|\bpack of (\d{1,4})\b/i;

const num = (s: string): number => Number(s.replace(',', '.'));
const unitOf = (token: string) => UNITS[token.toLowerCase().replace(/[^a-z]/g, '')]!;

/** The pack size in a product name, or null when the name carries none (most names: say nothing). */
export function parsePackSize(name: string | undefined): PackSize | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > 300) return null;
  const multi = MULTI.exec(name);
  if (multi) {
    const unit = unitOf(multi[3]!);
    const count = Number(multi[1]);
    const amount = num(multi[2]!) * unit.factor;
    return count > 0 && amount > 0 ? { count, amount, unit: unit.unit } : null;
  }
  const single = SINGLE.exec(name);
  if (single) {
    const unit = unitOf(single[2]!);
    const amount = num(single[1]!) * unit.factor;
    return amount > 0 ? { count: 1, amount, unit: unit.unit } : null;
  }
  const pieces = PIECES.exec(name);
  if (pieces) {
    const count = Number(pieces[1] ?? pieces[2]);
    return count > 0 ? { count: 1, amount: count, unit: 'pcs' } : null;
  }
  return null;
}

const round = (x: number): string => String(Math.round(x * 100) / 100);

/** "500 g", "1.5 l", "12 pcs", in the larger unit from 1000 up. */
export function formatAmount(amount: number, unit: PackSize['unit']): string {
  if (unit === 'pcs') return `${round(amount)} pcs`;
  if (amount >= 1000) return `${round(amount / 1000)} ${unit === 'g' ? 'kg' : 'l'}`;
  return `${round(amount)} ${unit}`;
}

/** The pack as shown: "6 × 330 ml" or "500 g". */
export function formatPack(pack: PackSize): string {
  const one = formatAmount(pack.amount, pack.unit);
  return pack.count > 1 ? `${pack.count} × ${one}` : one;
}

/** What the usual quantity amounts to: 2 packs of "6 × 330 ml" → "3.96 l". */
export function usualAmount(pack: PackSize, quantity: number): string {
  return formatAmount(pack.count * pack.amount * quantity, pack.unit);
}
