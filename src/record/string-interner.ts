/** Decodes UTF-8 as msgpackr does: WHATWG replacement of bad sequences, a leading BOM kept. */
export const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export interface InternerOptions {
  /** Number of cache slots (a power of two). */
  slots?: number;
  /** Strings longer than this (in bytes) are decoded, not cached: they rarely repeat. */
  maxLength?: number;
}

/**
 * A bounded, direct-mapped cache from UTF-8 bytes to strings. Org, API, path, method and key
 * values repeat across millions of records, so a hit (hash + byte comparison) returns the string
 * decoded earlier instead of allocating a new one. A miss overwrites its slot: memory stays
 * bounded whatever the traffic, and a collision only costs a decode.
 */
export class StringInterner {
  private readonly keys: (Uint8Array | undefined)[];
  private readonly strings: string[];
  private readonly mask: number;
  private readonly maxLength: number;

  constructor(opts: InternerOptions = {}) {
    const slots = opts.slots ?? 16_384;
    if (slots <= 0 || (slots & (slots - 1)) !== 0) throw new Error('slots must be a power of two');
    this.keys = new Array<Uint8Array | undefined>(slots).fill(undefined);
    this.strings = new Array<string>(slots).fill('');
    this.mask = slots - 1;
    this.maxLength = opts.maxLength ?? 96;
  }

  /** The string encoded by `bytes[start, start + length)`. */
  get(bytes: Uint8Array, start: number, length: number): string {
    if (length === 0) return '';
    if (length > this.maxLength) return utf8.decode(bytes.subarray(start, start + length));
    // Every byte counts (ids and paths may differ anywhere), four at a time; a clash only costs
    // a decode because hits are confirmed byte by byte.
    let h = length;
    let i = start;
    for (const words = start + (length & ~3); i < words; i += 4) {
      const w =
        (bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24);
      h = Math.imul(h ^ w, 0x01000193);
    }
    for (const end = start + length; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
    const slot = (h ^ (h >>> 15)) & this.mask;
    const cached = this.keys[slot];
    if (cached !== undefined && cached.length === length && sameBytes(cached, bytes, start)) {
      return this.strings[slot] as string;
    }
    const value = utf8.decode(bytes.subarray(start, start + length));
    // A copy: Buffer#slice would be a view, aliasing (and retaining) memory the caller reuses.
    this.keys[slot] = Uint8Array.prototype.slice.call(bytes, start, start + length);
    this.strings[slot] = value;
    return value;
  }
}

function sameBytes(cached: Uint8Array, bytes: Uint8Array, start: number): boolean {
  for (let i = 0; i < cached.length; i++) if (cached[i] !== bytes[start + i]) return false;
  return true;
}
