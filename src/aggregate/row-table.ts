import type { AggregateRow, SubjectKind } from './aggregate.ts';
import type { CounterSample, Counters } from './counters.ts';

/** Response codes kept inline per row (a busy day row sees about ten); beyond, a row spills into a Map. */
const INLINE_CODES = 8;
const EMPTY = -1;
/** Counter slots per row in `n`: hits, success, error, 3 sums, 2 maxima, 4 minima, last hit. */
const WIDTH = 13;
/** A minimum with no value yet (`null` in Counters): never smaller than a real one. */
const NONE = Number.POSITIVE_INFINITY;

/**
 * Interned identity strings of one batch: every row key is a handful of small integers, so rows
 * are found by one integer hash probe instead of nested string maps.
 */
export class StringIds {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      // PostgreSQL text cannot hold NUL (a request path can carry one, e.g. /a%00b): it becomes
      // U+FFFD, as undecodable bytes do, so the record still counts and every store can keep it.
      const clean = s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s;
      id = this.ids.get(clean);
      if (id === undefined) {
        id = this.strings.length;
        this.strings.push(clean);
        this.ids.set(clean, id);
      }
      this.ids.set(s, id);
    }
    return id;
  }
}

const mix = (h: number, v: number): number => Math.imul(h ^ v, 0x9e3779b1) ^ (h >>> 15);

function hashKey(
  kind: number,
  subject: number,
  org: number,
  api: number,
  path: number,
  method: number,
  bucket: number,
): number {
  const h = mix(mix(mix(mix(mix(mix(kind, subject), org), api), path), method), bucket % 0x7fff_ffff);
  return h ^ (h >>> 13);
}

/**
 * Aggregate rows of one granularity held column-wise in typed arrays: the per-record hot path
 * finds a row with one hash probe over integer ids and updates counters in place, allocating
 * nothing. Rows become `AggregateRow` objects only once, when the batch is done (`toRows`).
 * `null` minimums are stored as +Infinity.
 */
export class RowTable {
  size = 0;
  private cap = 0;
  private index = new Int32Array(0);
  private kind = new Uint8Array(0);
  private subject = new Int32Array(0);
  private org = new Int32Array(0);
  private api = new Int32Array(0);
  private path = new Int32Array(0);
  private method = new Int32Array(0);
  private bucket = new Float64Array(0);
  // Counters: hits, success, error, Σrequest, Σlatency, Σupstream, max×2, minOk×2, minAll×2, lastHit.
  private n = new Float64Array(0);
  private apiName = new Int32Array(0);
  private codeCount = new Uint8Array(0);
  private code = new Float64Array(0);
  private codeHits = new Float64Array(0);
  private readonly spilled = new Map<number, Map<number, number>>();

  constructor(
    readonly names: StringIds,
    capacity = 256,
  ) {
    // A power of two: the index mask depends on it.
    this.grow(2 ** Math.ceil(Math.log2(Math.max(16, capacity))));
  }

  /** Row index for the key, created empty (hits 0) if new. */
  find(
    kind: number,
    subject: number,
    org: number,
    api: number,
    path: number,
    method: number,
    bucket: number,
  ): number {
    const mask = this.index.length - 1;
    for (
      let slot = hashKey(kind, subject, org, api, path, method, bucket) & mask;
      ;
      slot = (slot + 1) & mask
    ) {
      const row = this.index[slot] as number;
      if (row === EMPTY) {
        if (this.size >= this.cap) {
          this.grow(this.cap * 2);
          return this.find(kind, subject, org, api, path, method, bucket);
        }
        const created = this.size++;
        this.index[slot] = created;
        this.kind[created] = kind;
        this.subject[created] = subject;
        this.org[created] = org;
        this.api[created] = api;
        this.path[created] = path;
        this.method[created] = method;
        this.bucket[created] = bucket;
        this.clearCounters(created);
        return created;
      }
      if (
        this.subject[row] === subject &&
        this.bucket[row] === bucket &&
        this.path[row] === path &&
        this.api[row] === api &&
        this.method[row] === method &&
        this.org[row] === org &&
        this.kind[row] === kind
      ) {
        return row;
      }
    }
  }

  /** Adds one record to row `row` (the per-record hot path). */
  addSample(row: number, s: CounterSample, apiName: number): void {
    const n = this.n;
    const o = row * WIDTH;
    const code = s.responseCode;
    const ok = code < 400;
    const latency = s.latencyTotal;
    const upstream = s.latencyUpstream;
    n[o] = (n[o] as number) + 1;
    if (code >= 200 && code < 300) n[o + 1] = (n[o + 1] as number) + 1;
    if (!ok) n[o + 2] = (n[o + 2] as number) + 1;
    n[o + 3] = (n[o + 3] as number) + s.requestTime;
    n[o + 4] = (n[o + 4] as number) + latency;
    n[o + 5] = (n[o + 5] as number) + upstream;
    if (latency > (n[o + 6] as number)) n[o + 6] = latency;
    if (upstream > (n[o + 7] as number)) n[o + 7] = upstream;
    if (ok) {
      if (latency < (n[o + 8] as number)) n[o + 8] = latency;
      if (upstream < (n[o + 9] as number)) n[o + 9] = upstream;
    }
    if (latency < (n[o + 10] as number)) n[o + 10] = latency;
    if (upstream < (n[o + 11] as number)) n[o + 11] = upstream;
    this.lastHit(row, s.timestampMs, apiName);
    this.addCode(row, code, 1);
  }

  /** Merges row `j` of `from` (same names) into row `row` of this table. */
  mergeRow(row: number, from: RowTable, j: number): void {
    const m = from.n;
    const p = j * WIDTH;
    this.merge(row, m, p);
    this.lastHit(row, m[p + 12] as number, from.apiName[j] as number);
    const base = j * INLINE_CODES;
    const count = from.codeCount[j] as number;
    for (let k = 0; k < count; k++) {
      this.addCode(row, from.code[base + k] as number, from.codeHits[base + k] as number);
    }
    const spill = from.spilled.get(j);
    if (spill) for (const [code, hits] of spill) this.addCode(row, code, hits);
  }

  /** Merges counters held as an object into row `row`. */
  addCounters(row: number, c: Counters): void {
    const v = this.scratch;
    v[0] = c.hits;
    v[1] = c.success;
    v[2] = c.error;
    v[3] = c.sumRequestTime;
    v[4] = c.sumLatency;
    v[5] = c.sumUpstream;
    v[6] = c.maxLatency;
    v[7] = c.maxUpstream;
    v[8] = c.minLatencyOk ?? NONE;
    v[9] = c.minUpstreamOk ?? NONE;
    v[10] = c.minLatencyAll;
    v[11] = c.minUpstreamAll;
    this.merge(row, v, 0);
    this.lastHit(row, c.lastHitMs, this.names.id(c.apiName));
    for (const [code, hits] of c.codes) this.addCode(row, code, hits);
  }

  private readonly scratch = new Float64Array(WIDTH);

  /** Sums add, maxima and minima combine (an absent minimum is +Infinity, so it never wins). */
  private merge(row: number, m: Float64Array, p: number): void {
    const n = this.n;
    const o = row * WIDTH;
    for (let k = 0; k < 6; k++) n[o + k] = (n[o + k] as number) + (m[p + k] as number);
    for (let k = 6; k < 8; k++) n[o + k] = Math.max(n[o + k] as number, m[p + k] as number);
    for (let k = 8; k < 12; k++) n[o + k] = Math.min(n[o + k] as number, m[p + k] as number);
  }

  /** Key of row `row`: kind, subject, org, api, path, method ids and the bucket. */
  keyOf(row: number): [number, number, number, number, number, number, number] {
    return [
      this.kind[row] as number,
      this.subject[row] as number,
      this.org[row] as number,
      this.api[row] as number,
      this.path[row] as number,
      this.method[row] as number,
      this.bucket[row] as number,
    ];
  }

  bucketOf(row: number): number {
    return this.bucket[row] as number;
  }

  /** The rows as `AggregateRow` objects, in insertion order. */
  toRows(): AggregateRow[] {
    const s = this.names.strings;
    const out = new Array<AggregateRow>(this.size);
    for (let row = 0; row < this.size; row++) {
      out[row] = {
        orgId: s[this.org[row] as number] as string,
        kind: KINDS[this.kind[row] as number] as SubjectKind,
        subject: s[this.subject[row] as number] as string,
        apiId: s[this.api[row] as number] as string,
        path: s[this.path[row] as number] as string,
        method: s[this.method[row] as number] as string,
        bucket: this.bucket[row] as number,
        counters: this.counters(row),
      };
    }
    return out;
  }

  private counters(row: number): Counters {
    const n = this.n;
    const o = row * WIDTH;
    const codes = new Map<number, number>();
    const base = row * INLINE_CODES;
    for (let k = 0; k < (this.codeCount[row] as number); k++) {
      codes.set(this.code[base + k] as number, this.codeHits[base + k] as number);
    }
    const spill = this.spilled.get(row);
    if (spill) for (const [code, hits] of spill) codes.set(code, hits);
    const minOk = (v: number): number | null => (v === NONE ? null : v);
    return {
      hits: n[o] as number,
      success: n[o + 1] as number,
      error: n[o + 2] as number,
      sumRequestTime: n[o + 3] as number,
      sumLatency: n[o + 4] as number,
      sumUpstream: n[o + 5] as number,
      maxLatency: n[o + 6] as number,
      maxUpstream: n[o + 7] as number,
      minLatencyOk: minOk(n[o + 8] as number),
      minUpstreamOk: minOk(n[o + 9] as number),
      minLatencyAll: n[o + 10] as number,
      minUpstreamAll: n[o + 11] as number,
      lastHitMs: n[o + 12] as number,
      apiName: this.names.strings[this.apiName[row] as number] as string,
      codes,
    };
  }

  /** Last hit moves forward only; on a tie the larger API name wins, so merging commutes. */
  private lastHit(row: number, ms: number, apiName: number): void {
    const n = this.n;
    const o = row * WIDTH + 12;
    const current = n[o] as number;
    if (ms > current) {
      n[o] = ms;
      this.apiName[row] = apiName;
    } else if (ms === current && apiName !== this.apiName[row]) {
      const s = this.names.strings;
      if ((s[apiName] as string) > (s[this.apiName[row] as number] as string)) this.apiName[row] = apiName;
    }
  }

  private addCode(row: number, code: number, hits: number): void {
    const base = row * INLINE_CODES;
    const count = this.codeCount[row] as number;
    for (let k = 0; k < count; k++) {
      if (this.code[base + k] === code) {
        this.codeHits[base + k] = (this.codeHits[base + k] as number) + hits;
        return;
      }
    }
    if (count < INLINE_CODES) {
      this.code[base + count] = code;
      this.codeHits[base + count] = hits;
      this.codeCount[row] = count + 1;
      return;
    }
    let spill = this.spilled.get(row);
    if (spill === undefined) {
      spill = new Map();
      this.spilled.set(row, spill);
    }
    spill.set(code, (spill.get(code) ?? 0) + hits);
  }

  /** Empty counters: sums 0, maxima and last hit -∞, minima absent (+∞), no codes. */
  private clearCounters(row: number): void {
    const n = this.n;
    const o = row * WIDTH;
    for (let k = 0; k < 6; k++) n[o + k] = 0;
    n[o + 6] = Number.NEGATIVE_INFINITY;
    n[o + 7] = Number.NEGATIVE_INFINITY;
    for (let k = 8; k < 12; k++) n[o + k] = NONE;
    n[o + 12] = Number.NEGATIVE_INFINITY;
    this.codeCount[row] = 0;
  }

  private grow(capacity: number): void {
    const copy = <T extends Int32Array | Uint8Array | Float64Array>(
      old: T,
      make: (n: number) => T,
      per = 1,
    ): T => {
      const next = make(capacity * per);
      next.set(old.subarray(0, this.size * per));
      return next;
    };
    this.kind = copy(this.kind, (k) => new Uint8Array(k));
    this.subject = copy(this.subject, (k) => new Int32Array(k));
    this.org = copy(this.org, (k) => new Int32Array(k));
    this.api = copy(this.api, (k) => new Int32Array(k));
    this.path = copy(this.path, (k) => new Int32Array(k));
    this.method = copy(this.method, (k) => new Int32Array(k));
    this.bucket = copy(this.bucket, (k) => new Float64Array(k));
    this.n = copy(this.n, (k) => new Float64Array(k), WIDTH);
    this.apiName = copy(this.apiName, (k) => new Int32Array(k));
    this.codeCount = copy(this.codeCount, (k) => new Uint8Array(k));
    this.code = copy(this.code, (k) => new Float64Array(k), INLINE_CODES);
    this.codeHits = copy(this.codeHits, (k) => new Float64Array(k), INLINE_CODES);
    this.cap = capacity;
    // Rehash: an index twice the row capacity (at most half full) keeps probes short.
    this.index = new Int32Array(capacity * 2).fill(EMPTY);
    const mask = this.index.length - 1;
    for (let row = 0; row < this.size; row++) {
      let slot = hashKey(...this.keyOf(row)) & mask;
      while (this.index[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.index[slot] = row;
    }
  }
}

export const KINDS: readonly SubjectKind[] = ['key', 'oauth'];
