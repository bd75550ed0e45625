/** What `MsgpackCursor.head` found at a position. */
export const Kind = {
  Truncated: 0,
  /** An integer within ±(2^53-1) (`value`). */
  Int: 1,
  /** A 64-bit integer beyond ±(2^53-1); `value` is its nearest double. */
  BigInt: 2,
  Float: 3,
  Nil: 4,
  Bool: 5,
  Str: 6,
  Bin: 7,
  Ext: 8,
  Array: 9,
  Map: 10,
  /** 0xc1, which msgpack reserves and never uses. */
  Invalid: 11,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The timestamp extension (-1 as a signed byte). */
export const TIMESTAMP_EXT = 0xff;
/** Gateway records nest four levels deep at most; anything far deeper is an attack, not traffic. */
export const MAX_DEPTH = 100;

const TWO_32 = 0x1_0000_0000;
/** High word of 2^53: 64-bit integers beyond Number.MAX_SAFE_INTEGER are out of range. */
const SAFE_HI = 0x20_0000;

/**
 * A bounds-checked reader over one msgpack value. It allocates nothing per call: `head` reports
 * into the fields below, and failures are reported as -1 with `reason` set, never thrown.
 */
export class MsgpackCursor {
  bytes: Uint8Array = new Uint8Array(0);
  end = 0;
  reason = '';
  /** Set by `head`: position after the header (containers) or after the whole value (the rest). */
  next = 0;
  /** Set by `head`: payload start of str/bin/ext. */
  start = 0;
  /** Set by `head`: byte length of str/bin/ext data, element count of arrays and maps. */
  length = 0;
  /** Set by `head`: numeric value of Int/BigInt/Float, 0/1 for Bool. */
  value = 0;
  /** Set by `head`: extension type byte (unsigned). */
  extType = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  reset(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.end = bytes.length;
    this.reason = '';
  }

  fail(reason: string): number {
    this.reason = reason;
    return -1;
  }

  /** Classifies the value at `p` and fills the report fields. Never reads past `end`. */
  head(p: number): Kind {
    const b = this.bytes;
    if (p >= this.end) return Kind.Truncated;
    const t = b[p] as number;
    if (t < 0x80) return this.int(p + 1, t);
    if (t >= 0xe0) return this.int(p + 1, t - 0x100);
    if (t < 0x90) return this.container(p + 1, t & 0x0f, Kind.Map);
    if (t < 0xa0) return this.container(p + 1, t & 0x0f, Kind.Array);
    if (t < 0xc0) return this.payload(p + 1, t & 0x1f, Kind.Str);
    switch (t) {
      case 0xc0:
        this.next = p + 1;
        return Kind.Nil;
      case 0xc2:
      case 0xc3:
        this.next = p + 1;
        this.value = t - 0xc2;
        return Kind.Bool;
      case 0xc4:
      case 0xd9:
        return p + 2 > this.end ? Kind.Truncated : this.payload(p + 2, b[p + 1] as number, strOrBin(t));
      case 0xc5:
      case 0xda:
        return p + 3 > this.end ? Kind.Truncated : this.payload(p + 3, this.u16(p + 1), strOrBin(t));
      case 0xc6:
      case 0xdb:
        return p + 5 > this.end ? Kind.Truncated : this.payload(p + 5, this.u32(p + 1), strOrBin(t));
      case 0xc7:
        return p + 3 > this.end ? Kind.Truncated : this.ext(p + 3, b[p + 1] as number, b[p + 2] as number);
      case 0xc8:
        return p + 4 > this.end ? Kind.Truncated : this.ext(p + 4, this.u16(p + 1), b[p + 3] as number);
      case 0xc9:
        return p + 6 > this.end ? Kind.Truncated : this.ext(p + 6, this.u32(p + 1), b[p + 5] as number);
      case 0xca:
      case 0xcb:
        return this.float(p + 1, t === 0xca ? 4 : 8);
      case 0xcc:
        return p + 2 > this.end ? Kind.Truncated : this.int(p + 2, b[p + 1] as number);
      case 0xcd:
        return p + 3 > this.end ? Kind.Truncated : this.int(p + 3, this.u16(p + 1));
      case 0xce:
        return p + 5 > this.end ? Kind.Truncated : this.int(p + 5, this.u32(p + 1));
      case 0xcf:
      case 0xd3:
        return this.int64(p + 1, t === 0xd3);
      case 0xd0:
        return p + 2 > this.end ? Kind.Truncated : this.int(p + 2, ((b[p + 1] as number) << 24) >> 24);
      case 0xd1:
        return p + 3 > this.end ? Kind.Truncated : this.int(p + 3, (this.u16(p + 1) << 16) >> 16);
      case 0xd2:
        return p + 5 > this.end ? Kind.Truncated : this.int(p + 5, this.u32(p + 1) | 0);
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return p + 2 > this.end ? Kind.Truncated : this.ext(p + 2, 1 << (t - 0xd4), b[p + 1] as number);
      case 0xdc:
        return p + 3 > this.end ? Kind.Truncated : this.container(p + 3, this.u16(p + 1), Kind.Array);
      case 0xdd:
        return p + 5 > this.end ? Kind.Truncated : this.container(p + 5, this.u32(p + 1), Kind.Array);
      case 0xde:
        return p + 3 > this.end ? Kind.Truncated : this.container(p + 3, this.u16(p + 1), Kind.Map);
      case 0xdf:
        return p + 5 > this.end ? Kind.Truncated : this.container(p + 5, this.u32(p + 1), Kind.Map);
      default:
        this.next = p + 1;
        return Kind.Invalid;
    }
  }

  /**
   * Skips the value at `p` (validating its structure, map keys included) and returns the position
   * after it, or -1. Recursion is bounded by MAX_DEPTH.
   */
  skip(p: number, depth: number): number {
    const kind = this.head(p);
    switch (kind) {
      case Kind.Truncated:
        return this.fail(`msgpack data is truncated at byte ${p}`);
      case Kind.Invalid:
        return this.fail(`invalid msgpack byte 0xc1 at byte ${p}`);
      case Kind.Ext:
        if (this.extType !== TIMESTAMP_EXT) return this.fail(unsupportedExt(this.extType, p));
        return this.next;
      case Kind.Array:
      case Kind.Map:
        return this.skipEntries(this.next, this.length, kind === Kind.Map, depth, p);
      default:
        return this.next;
    }
  }

  /** Checks that the value at `p` can be a map key (a string or scalar) and returns the position after it. */
  skipKey(p: number): number {
    const kind = this.head(p);
    if (kind === Kind.Truncated) return this.fail(`msgpack data is truncated at byte ${p}`);
    if (kind <= Kind.Str) return this.next;
    if (kind === Kind.Ext && this.extType !== TIMESTAMP_EXT)
      return this.fail(unsupportedExt(this.extType, p));
    return this.fail(`map key at byte ${p} is not a string or scalar`);
  }

  private skipEntries(q: number, count: number, isMap: boolean, depth: number, at: number): number {
    if (depth >= MAX_DEPTH) return this.fail(`msgpack nesting deeper than ${MAX_DEPTH} levels at byte ${at}`);
    let p = q;
    for (let i = 0; i < count; i++) {
      if (isMap) {
        p = this.skipKey(p);
        if (p < 0) return p;
      }
      p = this.skip(p, depth + 1);
      if (p < 0) return p;
    }
    return p;
  }

  private int(next: number, value: number): Kind {
    this.next = next;
    this.value = value;
    return Kind.Int;
  }

  private container(next: number, count: number, kind: Kind): Kind {
    this.next = next;
    this.length = count;
    return kind;
  }

  private payload(start: number, length: number, kind: Kind): Kind {
    if (start + length > this.end) return Kind.Truncated;
    this.start = start;
    this.length = length;
    this.next = start + length;
    return kind;
  }

  private ext(start: number, length: number, type: number): Kind {
    this.extType = type;
    return this.payload(start, length, Kind.Ext);
  }

  private float(start: number, size: 4 | 8): Kind {
    if (start + size > this.end) return Kind.Truncated;
    for (let i = 0; i < size; i++) this.scratch.setUint8(i, this.bytes[start + i] as number);
    this.value = size === 4 ? this.scratch.getFloat32(0) : this.scratch.getFloat64(0);
    this.next = start + size;
    return Kind.Float;
  }

  private int64(start: number, signed: boolean): Kind {
    if (start + 8 > this.end) return Kind.Truncated;
    const hi = signed ? this.u32(start) | 0 : this.u32(start);
    const lo = this.u32(start + 4);
    this.next = start + 8;
    // One rounding of two exact terms: the same double as Number(bigint).
    this.value = hi * TWO_32 + lo;
    const inRange = hi < SAFE_HI && (hi > -SAFE_HI || (hi === -SAFE_HI && lo !== 0));
    return inRange ? Kind.Int : Kind.BigInt;
  }

  private u16(p: number): number {
    const b = this.bytes;
    return ((b[p] as number) << 8) | (b[p + 1] as number);
  }

  private u32(p: number): number {
    const b = this.bytes;
    return (
      (b[p] as number) * 0x100_0000 +
      (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number))
    );
  }
}

const strOrBin = (t: number): Kind => (t >= 0xd9 ? Kind.Str : Kind.Bin);

const unsupportedExt = (type: number, p: number): string =>
  `unsupported msgpack extension type ${type > 127 ? type - 256 : type} at byte ${p} (only the timestamp, -1)`;
