import { Kind, MsgpackCursor } from './msgpack-cursor.ts';
import { FieldReader } from './msgpack-fields.ts';
import { KeyTable, skipKey, skipValue } from './msgpack-skip.ts';
import { type AnalyticsRecord, type DecodeResult, type RecordReader, readOne } from './record.ts';
import { StringInterner } from './string-interner.ts';
import { recordProblem } from './validate.ts';

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

/** `a.fill(-1)` for the tiny position arrays, without a builtin call per record. */
function clear(a: Int32Array): void {
  for (let i = 0; i < a.length; i++) a[i] = -1;
}

/**
 * Decodes the gateway's msgpack record straight from bytes. Semantics match the generic
 * msgpackr-based decoder (same records accepted, same values; see ADR 0004 for the exotic
 * inputs where they part), but it reads only the fields keymeter needs: the rest of the record
 * (raw request/response, geo, tags, …) is walked over without being materialised.
 */
export class FastMsgpackDecoder implements RecordReader {
  private readonly c = new MsgpackCursor();
  private readonly top = new Int32Array(TOP.names.length);
  // Where Total/Upstream, IsGraphQL and IsMCP start inside the nested maps (found in pass 1).
  private readonly latencySub = new Int32Array(2);
  private readonly gqlSub = new Int32Array(1);
  private readonly mcpSub = new Int32Array(1);
  private readonly f: FieldReader;

  constructor(strings: StringInterner = new StringInterner()) {
    this.f = new FieldReader(this.c, strings);
  }

  decode(bytes: Uint8Array): DecodeResult {
    return readOne(this, bytes);
  }

  /**
   * Decodes into `into` (overwriting every field) and returns why the record is rejected, or
   * undefined when it is valid. Reusing one target object makes decoding allocation-free.
   */
  read(bytes: Uint8Array, into: AnalyticsRecord): string | undefined {
    const c = this.c;
    c.reset(bytes);
    const f = this.f;
    f.err = '';
    const top = this.top;
    clear(top);
    clear(this.latencySub);
    clear(this.gqlSub);
    clear(this.mcpSub);
    const kind = c.head(0);
    if (kind === Kind.Truncated) return 'msgpack data is empty or truncated';
    if (kind !== Kind.Map) return 'record is not an object (expected a msgpack map)';
    // Pass 1: validate the whole structure, remembering where the wanted values start. A repeated
    // key overwrites the earlier position: the last one wins, as with msgpackr.
    const end = this.scanMap(c.next, c.length, TOP, top, 1, true);
    if (end < 0) return c.skip(0, 0) < 0 ? c.reason : 'malformed msgpack';
    if (end !== bytes.length) return `trailing bytes after the record (${bytes.length - end} bytes)`;
    // Pass 2: read the wanted values.
    into.timestampMs = f.time(top[TIME] as number);
    this.latency(top[LATENCY] as number);
    into.orgId = f.str(top[ORG] as number, 'OrgID');
    into.apiId = f.str(top[API_ID] as number, 'APIID');
    into.apiName = f.str(top[API_NAME] as number, 'APIName');
    into.path = f.str(top[PATH] as number, 'Path');
    into.method = f.str(top[METHOD] as number, 'Method');
    into.apiKey = f.str(top[KEY] as number, 'APIKey');
    into.oauthId = f.str(top[OAUTH] as number, 'OauthID');
    into.responseCode = f.num(top[CODE] as number, 'ResponseCode', true);
    into.requestTime = f.num(top[REQ_TIME] as number, 'RequestTime', false);
    into.latencyTotal = this.latencyTotal;
    into.latencyUpstream = this.latencyUpstream;
    into.trackPath = f.bool(top[TRACK] as number, 'TrackPath');
    into.isGraphQL =
      f.nested(top[GQL] as number, 'GraphQLStats') &&
      f.bool(this.gqlSub[0] as number, 'GraphQLStats.IsGraphQL');
    into.isMCP =
      f.nested(top[MCP] as number, 'MCPStats') && f.bool(this.mcpSub[0] as number, 'MCPStats.IsMCP');
    return f.err === '' ? recordProblem(into) : f.err;
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
      // The values gateways write most (small ints, bools, nil, short strings) are skipped inline.
      const v = b[q] as number;
      if (v < 0x80 || v >= 0xe0 || v === 0xc0 || v === 0xc2 || v === 0xc3) q++;
      else if (v >= 0xa0 && v < 0xc0) q += 1 + (v & 0x1f);
      else q = skipValue(b, q, end, depth);
      if (q < 0 || q > end) return -1;
    }
    return q;
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
    clear(out);
    const c = this.c;
    if (c.head(q) !== Kind.Map) return NOT_NESTED;
    const keys = id === LATENCY ? LATENCY_KEYS : id === GQL ? GQL_KEYS : MCP_KEYS;
    return this.scanMap(c.next, c.length, keys, out, 2, false);
  }

  private latencyTotal = 0;
  private latencyUpstream = 0;

  private latency(p: number): void {
    const f = this.f;
    const ok = f.nested(p, 'Latency');
    this.latencyTotal = ok ? f.num(this.latencySub[0] as number, 'Latency.Total', false) : 0;
    this.latencyUpstream = ok ? f.num(this.latencySub[1] as number, 'Latency.Upstream', false) : 0;
  }
}
