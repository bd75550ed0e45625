import { Kind, MsgpackCursor, TIMESTAMP_EXT } from './msgpack-cursor.ts';
import { KeyTable, skipKey, skipValue } from './msgpack-skip.ts';
import { type AnalyticsRecord, type DecodeResult, reject } from './record.ts';
import { StringInterner } from './string-interner.ts';
import { validateRecord } from './validate.ts';

// Top-level fields keymeter reads, by index; everything else is skipped unread.
const TOP = new KeyTable([
  'OrgID',
  'APIID',
  'APIName',
  'Path',
  'Method',
  'APIKey',
  'OauthID',
  'ResponseCode',
  'RequestTime',
  'Latency',
  'TimeStamp',
  'TrackPath',
  'GraphQLStats',
  'MCPStats',
]);
const ORG = 0;
const API_ID = 1;
const API_NAME = 2;
const PATH = 3;
const METHOD = 4;
const KEY = 5;
const OAUTH = 6;
const CODE = 7;
const REQ_TIME = 8;
const LATENCY = 9;
const TIME = 10;
const TRACK = 11;
const GQL = 12;
const MCP = 13;
const LATENCY_KEYS = new KeyTable(['Total', 'Upstream']);
const GQL_KEYS = new KeyTable(['IsGraphQL']);
const MCP_KEYS = new KeyTable(['IsMCP']);
const NOT_NESTED = -2;

/**
 * Decodes the gateway's msgpack record straight from bytes. Semantics match the generic
 * msgpackr-based decoder (same records accepted, same values; see ADR 0004 for the exotic
 * inputs where they part), but it reads only the fields keymeter needs: the rest of the record
 * (raw request/response, geo, tags, …) is walked over without being materialised.
 */
export class FastMsgpackDecoder {
  private readonly c = new MsgpackCursor();
  private readonly top = new Int32Array(TOP.names.length);
  // Where Total/Upstream, IsGraphQL and IsMCP start inside the nested maps (found in pass 1).
  private readonly latencySub = new Int32Array(2);
  private readonly gqlSub = new Int32Array(1);
  private readonly mcpSub = new Int32Array(1);
  private readonly strings: StringInterner;
  /** First field error of the current decode ('' = none). */
  private err = '';

  constructor(strings: StringInterner = new StringInterner()) {
    this.strings = strings;
  }

  decode(bytes: Uint8Array): DecodeResult {
    const c = this.c;
    c.reset(bytes);
    this.err = '';
    const top = this.top;
    top.fill(-1);
    this.latencySub.fill(-1);
    this.gqlSub.fill(-1);
    this.mcpSub.fill(-1);
    const kind = c.head(0);
    if (kind === Kind.Truncated) return reject('msgpack data is empty or truncated');
    if (kind !== Kind.Map) return reject('record is not an object (expected a msgpack map)');
    // Pass 1: validate the whole structure, remembering where the wanted values start. A repeated
    // key overwrites the earlier position: the last one wins, as with msgpackr.
    const end = this.scanMap(c.next, c.length, TOP, top, 1, true);
    if (end < 0) return reject(c.skip(0, 0) < 0 ? c.reason : 'malformed msgpack');
    if (end !== bytes.length) return reject(`trailing bytes after the record (${bytes.length - end} bytes)`);
    // Pass 2: read the wanted values.
    const timestampMs = this.time(top[TIME] as number);
    this.latency(top[LATENCY] as number);
    const record: AnalyticsRecord = {
      orgId: this.str(top[ORG] as number, 'OrgID'),
      apiId: this.str(top[API_ID] as number, 'APIID'),
      apiName: this.str(top[API_NAME] as number, 'APIName'),
      path: this.str(top[PATH] as number, 'Path'),
      method: this.str(top[METHOD] as number, 'Method'),
      apiKey: this.str(top[KEY] as number, 'APIKey'),
      oauthId: this.str(top[OAUTH] as number, 'OauthID'),
      responseCode: this.num(top[CODE] as number, 'ResponseCode', true),
      requestTime: this.num(top[REQ_TIME] as number, 'RequestTime', false),
      latencyTotal: this.latencyTotal,
      latencyUpstream: this.latencyUpstream,
      timestampMs,
      trackPath: this.bool(top[TRACK] as number, 'TrackPath'),
      isGraphQL:
        this.nested(top[GQL] as number, 'GraphQLStats') &&
        this.bool(this.gqlSub[0] as number, 'GraphQLStats.IsGraphQL'),
      isMCP:
        this.nested(top[MCP] as number, 'MCPStats') && this.bool(this.mcpSub[0] as number, 'MCPStats.IsMCP'),
    };
    return this.err === '' ? validateRecord(record) : reject(this.err);
  }

  /**
   * Walks `count` map entries from `p`, noting where the values of keys in `keys` start, and
   * returns the position after the map or -1 if anything in it is invalid. At the top level
   * (`withNested`), the wanted nested maps are scanned for their own wanted keys on the way.
   */
  private scanMap(
    p: number,
    count: number,
    keys: KeyTable,
    out: Int32Array,
    depth: number,
    withNested: boolean,
  ): number {
    const c = this.c;
    const b = c.bytes;
    const end = c.end;
    let q = p;
    for (let i = 0; i < count; i++) {
      if (q >= end) return -1;
      const t = b[q] as number;
      let id = -1;
      if (t >= 0xa0 && t < 0xc0) {
        const length = t & 0x1f;
        if (q + 1 + length > end) return -1;
        id = keys.find(b, q + 1, length);
        q += 1 + length;
      } else if (c.head(q) === Kind.Str) {
        id = keys.find(b, c.start, c.length);
        q = c.next;
      } else {
        q = skipKey(b, q, end);
        if (q < 0) return -1;
      }
      if (id >= 0) {
        out[id] = q;
        const after = withNested ? this.scanNested(id, q) : NOT_NESTED;
        if (after !== NOT_NESTED) {
          if (after < 0) return -1;
          q = after;
          continue;
        }
      }
      q = skipValue(b, q, end, depth);
      if (q < 0) return -1;
    }
    return q;
  }

  private fail<T>(reason: string, fallback: T): T {
    if (this.err === '') this.err = reason;
    return fallback;
  }

  private str(p: number, name: string): string {
    if (p < 0) return '';
    const c = this.c;
    const t = c.bytes[p] as number;
    if (t >= 0xa0 && t < 0xc0) return this.strings.get(c.bytes, p + 1, t & 0x1f); // fixstr, bounds checked in pass 1
    const kind = c.head(p);
    if (kind === Kind.Str) return this.strings.get(c.bytes, c.start, c.length);
    return kind === Kind.Nil ? '' : this.fail(`${name} must be a string`, '');
  }

  private num(p: number, name: string, required: boolean): number {
    const kind = p < 0 ? Kind.Nil : this.c.head(p);
    if (kind === Kind.Nil) return required ? this.fail(`${name} is missing`, 0) : 0;
    if (kind === Kind.BigInt) return this.fail(`${name} is out of range`, 0);
    const v = this.c.value;
    if (kind === Kind.Int || (kind === Kind.Float && Number.isFinite(v))) return v;
    return this.fail(`${name} must be a number`, 0);
  }

  private bool(p: number, name: string): boolean {
    const kind = p < 0 ? Kind.Nil : this.c.head(p);
    if (kind === Kind.Bool) return this.c.value === 1;
    return kind === Kind.Nil ? false : this.fail(`${name} must be a boolean`, false);
  }

  /**
   * For a nested field (Latency, GraphQLStats, MCPStats) whose value at `q` is a map: records its
   * wanted entries — afresh, since a repeated key replaces the whole earlier map — and returns the
   * position after it (or -1). NOT_NESTED for other fields and other values.
   */
  private scanNested(id: number, q: number): number {
    const out =
      id === LATENCY ? this.latencySub : id === GQL ? this.gqlSub : id === MCP ? this.mcpSub : undefined;
    if (out === undefined) return NOT_NESTED;
    out.fill(-1);
    const c = this.c;
    if (c.head(q) !== Kind.Map) return NOT_NESTED;
    const keys = id === LATENCY ? LATENCY_KEYS : id === GQL ? GQL_KEYS : MCP_KEYS;
    return this.scanMap(c.next, c.length, keys, out, 2, false);
  }

  /**
   * Whether the nested field at `p` is usable: a map (entries found in pass 1), absent or nil (no
   * entries). Like the generic decoder (where msgpackr turns bin and timestamps into objects), bin
   * and timestamp values count as maps without entries.
   */
  private nested(p: number, name: string): boolean {
    if (p < 0) return true;
    const c = this.c;
    const kind = c.head(p);
    if (kind === Kind.Map || kind === Kind.Nil || kind === Kind.Bin) return true;
    if (kind === Kind.Ext && c.extType === TIMESTAMP_EXT) return true;
    return this.fail(`${name} must be a map`, false);
  }

  private latencyTotal = 0;
  private latencyUpstream = 0;

  private latency(p: number): void {
    const ok = this.nested(p, 'Latency');
    this.latencyTotal = ok ? this.num(this.latencySub[0] as number, 'Latency.Total', false) : 0;
    this.latencyUpstream = ok ? this.num(this.latencySub[1] as number, 'Latency.Upstream', false) : 0;
  }

  /** `[unix_seconds, nanoseconds]` as the gateway writes it, or the timestamp extension. */
  private time(p: number): number {
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

/**
 * Unix ms of a timestamp-extension payload, computed with exactly msgpackr's arithmetic (and its
 * `new Date(x).getTime()` clipping) so that both decoders agree to the millisecond.
 */
export function timestampExtMs(d: Uint8Array, s: number, length: number): number {
  const at = (i: number) => d[s + i] as number;
  let ms: number;
  if (length === 4) ms = (at(0) * 0x1000000 + (at(1) << 16) + (at(2) << 8) + at(3)) * 1000;
  else if (length === 8) {
    ms =
      ((at(0) << 22) + (at(1) << 14) + (at(2) << 6) + (at(3) >> 2)) / 1000000 +
      ((at(3) & 0x3) * 0x100000000 + at(4) * 0x1000000 + (at(5) << 16) + (at(6) << 8) + at(7)) * 1000;
  } else if (length === 12) {
    ms =
      ((at(0) << 24) + (at(1) << 16) + (at(2) << 8) + at(3)) / 1000000 +
      ((at(4) & 0x80 ? -0x1000000000000 : 0) +
        at(6) * 0x10000000000 +
        at(7) * 0x100000000 +
        at(8) * 0x1000000 +
        (at(9) << 16) +
        (at(10) << 8) +
        at(11)) *
        1000;
  } else return Number.NaN;
  return Math.abs(ms) > 8.64e15 || !Number.isFinite(ms) ? Number.NaN : Math.trunc(ms) + 0;
}
