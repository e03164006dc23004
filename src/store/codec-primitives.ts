// Byte-level building blocks of the profile codec: varints (unsigned, zigzag), a 3-decimal
// number form, IEEE half floats and length-prefixed strings, over a growable buffer.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float → IEEE 754 half, round to nearest; NaN → 0, overflow clamps to the largest half. */
export function toHalf(v: number): number {
  if (!Number.isFinite(v)) v = 0;
  const clamped = Math.max(-65504, Math.min(65504, v));
  f32[0] = clamped;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp < 103) return sign; // too small: ±0
  if (exp < 113) {
    // subnormal half
    mant |= 0x800000;
    const shift = 126 - exp;
    return sign | ((mant >>> shift) + ((mant >>> (shift - 1)) & 1));
  }
  const e = exp - 112;
  let h = sign | (e << 10) | (mant >>> 13);
  if (mant & 0x1000) h += 1; // round half up; may carry into the exponent, which is correct
  return Math.min(h, sign | 0x7bff);
}

export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export class Writer {
  private buf = Buffer.allocUnsafe(1024);
  length = 0;
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }
  /** Unsigned varint; values up to 2^53 (multiplication instead of bit ops past 2^31). */
  uint(v: number): void {
    this.ensure(8);
    let x = Math.max(0, Math.floor(v));
    while (x >= 0x80) {
      this.buf[this.length++] = (x % 0x80) | 0x80;
      x = Math.floor(x / 0x80);
    }
    this.buf[this.length++] = x;
  }
  int(v: number): void {
    this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  /** Integers exactly; other finite numbers to 3 decimals. Low bit tells which. */
  num(v: number): void {
    if (!Number.isFinite(v)) v = 0;
    if (Number.isInteger(v) && Math.abs(v) < 2 ** 50) this.int(v * 2);
    else this.int(Math.round(v * 1000) * 2 + 1);
  }
  /** IEEE half float (2 bytes, ~3 significant digits) for fuzzy weights; clamped to ±65504. */
  half(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(toHalf(v), this.length);
    this.length += 2;
  }
  str(s: string): void {
    const bytes = Buffer.byteLength(s);
    this.uint(bytes);
    this.ensure(bytes);
    this.length += this.buf.write(s, this.length);
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

export class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  uint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('profile codec: truncated');
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  }
  int(): number {
    const u = this.uint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  num(): number {
    const z = this.int();
    const isDecimal = Math.abs(z) % 2 === 1;
    const half = (z - (isDecimal ? 1 : 0)) / 2;
    return isDecimal ? half / 1000 : half;
  }
  half(): number {
    if (this.pos + 2 > this.buf.length) throw new Error('profile codec: truncated');
    const h = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return fromHalf(h);
  }
  str(): string {
    const n = this.uint();
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}
