import { MAX_DEPTH, TIMESTAMP_EXT } from './msgpack-cursor.ts';

// The hot path of the fast decoder: walk over values keymeter does not read. Plain functions over
// (bytes, position) so V8 keeps them small and inlined; -1 means "invalid", and the caller asks
// MsgpackCursor (same rules, slower) for the precise reason only on that rare path.

const u16 = (b: Uint8Array, p: number): number => ((b[p] as number) << 8) | (b[p + 1] as number);
const u32 = (b: Uint8Array, p: number): number =>
  (b[p] as number) * 0x100_0000 +
  (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number));

/** Position after `size` more bytes from `p`, or -1 past the end. */
const span = (p: number, size: number, end: number): number => (p + size <= end ? p + size : -1);

/** Position after the value at `p`, or -1 if it is truncated, invalid or nested deeper than MAX_DEPTH. */
export function skipValue(b: Uint8Array, p: number, end: number, depth: number): number {
  if (p >= end) return -1;
  const t = b[p] as number;
  if (t < 0x80 || t >= 0xe0) return p + 1;
  if (t >= 0xa0 && t < 0xc0) return span(p + 1, t & 0x1f, end);
  if (t < 0x90) return skipEntries(b, p + 1, end, t & 0x0f, true, depth);
  if (t < 0xa0) return skipEntries(b, p + 1, end, t & 0x0f, false, depth);
  switch (t) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return p + 1;
    case 0xcc:
    case 0xd0:
      return span(p, 2, end);
    case 0xcd:
    case 0xd1:
      return span(p, 3, end);
    case 0xca:
    case 0xce:
    case 0xd2:
      return span(p, 5, end);
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return span(p, 9, end);
    case 0xc4:
    case 0xd9:
      return p + 2 > end ? -1 : span(p + 2, b[p + 1] as number, end);
    case 0xc5:
    case 0xda:
      return p + 3 > end ? -1 : span(p + 3, u16(b, p + 1), end);
    case 0xc6:
    case 0xdb:
      return p + 5 > end ? -1 : span(p + 5, u32(b, p + 1), end);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return p + 2 > end || b[p + 1] !== TIMESTAMP_EXT ? -1 : span(p + 2, 1 << (t - 0xd4), end);
    case 0xc7:
      return p + 3 > end || b[p + 2] !== TIMESTAMP_EXT ? -1 : span(p + 3, b[p + 1] as number, end);
    case 0xc8:
      return p + 4 > end || b[p + 3] !== TIMESTAMP_EXT ? -1 : span(p + 4, u16(b, p + 1), end);
    case 0xc9:
      return p + 6 > end || b[p + 5] !== TIMESTAMP_EXT ? -1 : span(p + 6, u32(b, p + 1), end);
    case 0xdc:
      return p + 3 > end ? -1 : skipEntries(b, p + 3, end, u16(b, p + 1), false, depth);
    case 0xdd:
      return p + 5 > end ? -1 : skipEntries(b, p + 5, end, u32(b, p + 1), false, depth);
    case 0xde:
      return p + 3 > end ? -1 : skipEntries(b, p + 3, end, u16(b, p + 1), true, depth);
    case 0xdf:
      return p + 5 > end ? -1 : skipEntries(b, p + 5, end, u32(b, p + 1), true, depth);
    default:
      return -1; // 0xc1
  }
}

/** Position after the map key at `p`: strings and scalars only (msgpackr rejects the rest), or -1. */
export function skipKey(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return -1;
  const t = b[p] as number;
  if (t >= 0xa0 && t < 0xc0) return span(p + 1, t & 0x1f, end);
  const scalar = t < 0x80 || t >= 0xe0 || (t >= 0xca && t <= 0xd3) || t === 0xc0 || t === 0xc2 || t === 0xc3;
  return scalar || (t >= 0xd9 && t <= 0xdb) ? skipValue(b, p, end, 0) : -1;
}

function skipEntries(
  b: Uint8Array,
  p: number,
  end: number,
  count: number,
  isMap: boolean,
  depth: number,
): number {
  if (depth >= MAX_DEPTH) return -1;
  let q = p;
  for (let i = 0; i < count && q >= 0; i++) {
    if (isMap) q = skipKey(b, q, end);
    if (q >= 0) q = skipValue(b, q, end, depth + 1);
  }
  return q;
}

/**
 * A set of wanted map keys, found by length + first + last byte in a small table and confirmed
 * by comparing bytes — no key is ever decoded into a string.
 */
export class KeyTable {
  readonly names: Uint8Array[];
  private readonly slots = new Int8Array(32 * 256).fill(-1);

  constructor(names: readonly string[]) {
    this.names = names.map((n) => new TextEncoder().encode(n));
    this.names.forEach((k, i) => {
      const slot = KeyTable.slot(k, 0, k.length);
      if (k.length > 31 || this.slots[slot] !== -1) throw new Error(`key table clash on ${names[i]}`);
      this.slots[slot] = i;
    });
  }

  private static slot(b: Uint8Array, start: number, length: number): number {
    return (length << 8) | (((b[start] as number) + (b[start + length - 1] as number) * 31) & 0xff);
  }

  /** Index of the key `b[start, start+length)`, or -1. */
  find(b: Uint8Array, start: number, length: number): number {
    if (length === 0 || length > 31) return -1;
    const id = this.slots[KeyTable.slot(b, start, length)] as number;
    if (id < 0) return -1;
    const k = this.names[id] as Uint8Array;
    if (k.length !== length) return -1;
    for (let i = 0; i < length; i++) if (k[i] !== b[start + i]) return -1;
    return id;
  }
}
