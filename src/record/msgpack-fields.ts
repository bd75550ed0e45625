import { Kind, type MsgpackCursor, TIMESTAMP_EXT } from './msgpack-cursor.ts';
import type { StringInterner } from './string-interner.ts';
import { timestampExtMs } from './timestamp-ext.ts';

/**
 * Reads single field values for the fast decoder, with the generic decoder's type rules. A wrong
 * value records the first error in `err` and yields a placeholder; nothing throws or allocates
 * on success beyond the strings themselves (interned).
 */
export class FieldReader {
  /** First field error of the current record ('' = none). */
  err = '';

  constructor(
    readonly c: MsgpackCursor,
    private readonly strings: StringInterner,
  ) {}

  private fail<T>(reason: string, fallback: T): T {
    if (this.err === '') this.err = reason;
    return fallback;
  }

  /** A string field: nil or absent is ''. */
  str(p: number, name: string): string {
    if (p < 0) return '';
    const c = this.c;
    const t = c.bytes[p] as number;
    if (t >= 0xa0 && t < 0xc0) return this.strings.get(c.bytes, p + 1, t & 0x1f); // fixstr, bounds checked in pass 1
    const kind = c.head(p);
    if (kind === Kind.Str) return this.strings.get(c.bytes, c.start, c.length);
    return kind === Kind.Nil ? '' : this.fail(`${name} must be a string`, '');
  }

  /** A number field (64-bit beyond ±(2^53-1) is out of range); nil or absent is 0 unless required. */
  num(p: number, name: string, required: boolean): number {
    const t = p < 0 ? -1 : (this.c.bytes[p] as number);
    if (t >= 0 && t < 0x80) return t; // positive fixint: the usual case
    const kind = p < 0 ? Kind.Nil : this.c.head(p);
    if (kind === Kind.Nil) return required ? this.fail(`${name} is missing`, 0) : 0;
    if (kind === Kind.BigInt) return this.fail(`${name} is out of range`, 0);
    const v = this.c.value;
    if (kind === Kind.Int || (kind === Kind.Float && Number.isFinite(v))) return v;
    return this.fail(`${name} must be a number`, 0);
  }

  /** A boolean field: nil or absent is false. */
  bool(p: number, name: string): boolean {
    const t = p < 0 ? -1 : (this.c.bytes[p] as number);
    if (t === 0xc2 || t === 0xc3) return t === 0xc3;
    const kind = p < 0 ? Kind.Nil : this.c.head(p);
    if (kind === Kind.Bool) return this.c.value === 1;
    return kind === Kind.Nil ? false : this.fail(`${name} must be a boolean`, false);
  }

  /**
   * Whether the nested field at `p` is usable: a map (entries found in pass 1), absent or nil (no
   * entries). Like the generic decoder (where msgpackr turns bin and timestamps into objects), bin
   * and timestamp values count as maps without entries.
   */
  nested(p: number, name: string): boolean {
    if (p < 0) return true;
    const c = this.c;
    if (((c.bytes[p] as number) & 0xf0) === 0x80) return true; // fixmap
    const kind = c.head(p);
    if (kind === Kind.Map || kind === Kind.Nil || kind === Kind.Bin) return true;
    if (kind === Kind.Ext && c.extType === TIMESTAMP_EXT) return true;
    return this.fail(`${name} must be a map`, false);
  }

  /** `[unix_seconds, nanoseconds]` as the gateway writes it, or the timestamp extension. */
  time(p: number): number {
    const c = this.c;
    const kind = p < 0 ? Kind.Nil : c.head(p);
    if (kind === Kind.Nil) return this.fail('TimeStamp is missing', 0);
    if (kind === Kind.Ext && c.extType === TIMESTAMP_EXT) {
      const ms = timestampExtMs(c.bytes, c.start, c.length);
      return Number.isNaN(ms) ? this.fail('TimeStamp is not a valid time', 0) : ms;
    }
    if (kind !== Kind.Array || c.length !== 2)
      return this.fail('TimeStamp must be [unix_seconds, nanoseconds]', 0);
    const first = c.next;
    const sec = this.integer(first);
    const nsec = this.integer(c.skip(first, 2));
    if (Number.isNaN(sec) || Number.isNaN(nsec)) {
      return this.fail('TimeStamp must be [unix_seconds, nanoseconds] integers', 0);
    }
    if (nsec < 0 || nsec > 999_999_999) return this.fail('TimeStamp has nanoseconds out of range', 0);
    return sec * 1000 + Math.floor(nsec / 1_000_000);
  }

  /** An integral number at `p` (any msgpack number type), else NaN. */
  private integer(p: number): number {
    const kind = p < 0 ? Kind.Truncated : this.c.head(p);
    const v = this.c.value;
    return (kind === Kind.Int || kind === Kind.BigInt || kind === Kind.Float) && Number.isInteger(v)
      ? v
      : Number.NaN;
  }
}
