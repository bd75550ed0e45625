import { isDeepStrictEqual } from 'node:util';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { type Random, seededRandom } from '../sim/random.ts';
import { FastMsgpackDecoder } from './fast-msgpack-decoder.ts';
import { gatewayObject } from './gateway-encoder.ts';
import { createMsgpackRecordDecoder, decodeMsgpackRecordGeneric } from './msgpack-decoder.ts';
import type { AnalyticsRecord, DecodeResult } from './record.ts';
import { WasmGatewayDecoder } from './wasm-decoder.ts';

const packr = new Packr({ useRecords: false, variableMapSize: true });

const WORDS = [
  '',
  'org-a',
  'api-1',
  '/get',
  'GET',
  '00000000',
  'ü',
  '日本語/パス',
  '😀',
  '\uFEFFbom',
  '\u0000',
  'é',
];
const randomString = (r: Random): string => {
  if (r.chance(0.5)) return r.pick(WORDS);
  const n = r.int(0, r.chance(0.2) ? 150 : 24);
  let s = '';
  for (let i = 0; i < n; i++) {
    const range = r.int(0, 4);
    const cp = [
      r.int(0x20, 0x7e),
      r.int(0x80, 0x7ff),
      r.int(0x800, 0xd7ff),
      r.int(0x10000, 0x10ffff),
      0xfeff,
    ][range] as number;
    s += String.fromCodePoint(cp);
  }
  return s;
};
const INTS = [0, 1, -1, 127, 128, 255, 256, -32, -33, -129, 65_535, 65_536, 2 ** 31 - 1, -(2 ** 31), 2 ** 32];
const randomInt = (r: Random): number =>
  r.chance(0.5) ? r.pick(INTS) : r.chance(0.5) ? r.int(0, 5000) : r.int(-(2 ** 40), 2 ** 40);
/** Durations: mostly within the accepted ±(2^31 − 1) ms (every integer encoding), sometimes not. */
const randomDuration = (r: Random): number =>
  r.chance(0.1)
    ? randomInt(r)
    : r.chance(0.5)
      ? r.pick([0, 1, -1, 127, 128, -33, 255, 256, 65_535, 65_536, 2 ** 31 - 1, -(2 ** 31 - 1)])
      : r.int(0, 5000);
const CODES = [100, 101, 200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 429, 500, 502, 503, -1, 0, 999];

function randomRecord(r: Random): AnalyticsRecord {
  return {
    orgId: r.chance(0.9) ? r.pick(['org-a', 'org-b', '5e9d9544a1dcd60001d0ed20']) : randomString(r),
    apiId: randomString(r),
    apiName: randomString(r),
    path: randomString(r),
    method: r.pick(['GET', 'POST', 'DELETE', '', 'PATCH']),
    apiKey: r.chance(0.5) ? r.pick(['00000000', '', 'a1b2c3']) : randomString(r),
    oauthId: r.chance(0.7) ? '' : randomString(r),
    responseCode: r.chance(0.8) ? r.pick(CODES) : randomInt(r),
    requestTime: randomDuration(r),
    latencyTotal: randomDuration(r),
    latencyUpstream: randomDuration(r),
    timestampMs: r.chance(0.8) ? r.int(1.6e12, 1.8e12) : r.int(-1e12, 2.6e14),
    trackPath: r.chance(0.5),
    isGraphQL: r.chance(0.1),
    isMCP: r.chance(0.1),
  };
}

/** A value of any msgpack type the generic decoder would produce from some gateway-like input. */
function oddValue(r: Random): unknown {
  return r.pick<() => unknown>([
    () => null,
    () => randomString(r),
    () => randomInt(r),
    () => r.pick([200.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1.5e300, 3.25]),
    () => r.chance(0.5),
    () => [randomInt(r), randomInt(r)],
    () => [1_700_000_000, r.pick([0, 999_999_999, 1_000_000_000, -1, 0.5])],
    () => [1, 2, 3],
    () => ({ Total: randomInt(r), Upstream: r.chance(0.5) ? null : randomString(r) }),
    () => ({ IsGraphQL: r.chance(0.5), IsMCP: r.chance(0.5) ? 1 : true }),
    () => Buffer.from([1, 2, 3]),
    () => new Date(r.int(-1e13, 1e14) + r.next()),
    () =>
      r.pick([2n ** 53n, 2n ** 53n - 1n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, 200n]),
    () => ({ a: { b: { c: [{ d: [] }] } } }),
  ])();
}

const FIELDS = ['OrgID', 'APIID', 'APIName', 'Path', 'Method', 'APIKey', 'OauthID', 'ResponseCode'].concat([
  'RequestTime',
  'Latency',
  'TimeStamp',
  'TrackPath',
  'GraphQLStats',
  'MCPStats',
  'Geo',
  'Tags',
  'RawRequest',
]);

/** A gateway record, perhaps with some fields dropped, nulled, retyped or repeated. */
function structuredInput(r: Random): Buffer {
  const obj = gatewayObject(randomRecord(r), { rawRequest: randomString(r), tags: [randomString(r)] });
  const changes = r.chance(0.4) ? 0 : r.int(1, 3);
  for (let i = 0; i < changes; i++) {
    const field = r.pick(FIELDS);
    if (r.chance(0.15)) delete obj[field];
    else obj[field] = oddValue(r);
  }
  const bytes = packr.pack(obj);
  return r.chance(0.15) ? withRepeatedKey(bytes, r.pick(FIELDS), oddValue(r)) : bytes;
}

/** Appends one more entry to an encoded map16 (the gateway's record has more than 15 fields). */
function withRepeatedKey(map: Buffer, key: string, value: unknown): Buffer {
  if (map[0] !== 0xde) return map;
  const out = Buffer.concat([map, packr.pack(key), packr.pack(value)]);
  out.writeUInt16BE(map.readUInt16BE(1) + 1, 1);
  return out;
}

/** Byte-level damage: flips, truncation, garbage appended or inserted. */
function mutatedInput(r: Random): Buffer {
  const bytes = Buffer.from(structuredInput(r));
  const kind = r.int(0, 3);
  if (kind === 0) {
    for (let i = r.int(1, 3); i > 0; i--) bytes[r.int(0, bytes.length - 1)] = r.int(0, 255);
    return bytes;
  }
  if (kind === 1) return bytes.subarray(0, r.int(0, bytes.length - 1));
  const junk = Buffer.from(Array.from({ length: r.int(1, 4) }, () => r.int(0, 255)));
  if (kind === 2) return Buffer.concat([bytes, junk]);
  const at = r.int(0, bytes.length);
  return Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]);
}

// msgpackr's private extensions (undefined, BigInt, bundled strings, Error, structured-clone ids and
// pointers, records, Set, typed arrays, RegExp) and its 0xc1 object: the fast decoder rejects them
// as not the gateway's format (ADR 0004), the generic one may decode them.
const MSGPACKR_EXTENSIONS = new Set([0, 0x42, 0x62, 0x65, 0x69, 0x70, 0x72, 0x73, 0x74, 0x78]);
function knownDivergence(fast: DecodeResult): boolean {
  if (fast.ok) return false;
  const ext = /unsupported msgpack extension type (-?\d+)/.exec(fast.reason);
  return (ext !== null && MSGPACKR_EXTENSIONS.has(Number(ext[1]))) || fast.reason.includes('0xc1');
}

function compare(inputs: Buffer[]) {
  const fast = createMsgpackRecordDecoder();
  const disagreements: { hex: string; generic: DecodeResult; fast: DecodeResult }[] = [];
  const tally = { accepted: 0, rejected: 0, knownDivergence: 0 };
  for (const bytes of inputs) {
    const g = decodeMsgpackRecordGeneric(bytes);
    const f = fast(bytes);
    const agree = g.ok === f.ok && (!g.ok || JSON.stringify(g) === JSON.stringify(f));
    if (agree && g.ok) expect(f).toEqual(g); // also tells -0 from 0, which JSON does not
    if (agree) tally[g.ok ? 'accepted' : 'rejected']++;
    else if (g.ok && knownDivergence(f)) tally.knownDivergence++;
    else disagreements.push({ hex: bytes.toString('hex'), generic: g, fast: f });
  }
  return { disagreements, tally };
}

describe('fast decoder agrees with the generic msgpackr decoder', () => {
  it('on thousands of generated records, some with odd field values or repeated keys', () => {
    const r = seededRandom(20_240_115);
    const { disagreements, tally } = compare(Array.from({ length: 4000 }, () => structuredInput(r)));
    expect(disagreements.slice(0, 3)).toEqual([]);
    expect(tally.accepted).toBeGreaterThan(1000);
    expect(tally.rejected).toBeGreaterThan(500);
  });

  it('on thousands of flipped, truncated and padded byte strings', () => {
    const r = seededRandom(7);
    const { disagreements, tally } = compare(Array.from({ length: 4000 }, () => mutatedInput(r)));
    expect(disagreements.slice(0, 3)).toEqual([]);
    expect(tally.accepted).toBeGreaterThan(300);
    expect(tally.rejected).toBeGreaterThan(2000);
  });

  it('on random byte strings', () => {
    const r = seededRandom(99);
    const inputs = Array.from({ length: 2000 }, () =>
      Buffer.from(Array.from({ length: r.int(0, 64) }, () => r.int(0, 255))),
    );
    expect(compare(inputs).disagreements.slice(0, 3)).toEqual([]);
  });
});

describe('the WebAssembly fast path agrees with the exact decoder', () => {
  // Values and rejection reasons alike: the fast path either reads a record exactly as the exact
  // decoder would, or hands it over. Both keep their string caches across all inputs, as in a drain.
  it('on every generated, damaged and random input', () => {
    const r = seededRandom(4242);
    const inputs = [
      ...Array.from({ length: 4000 }, () => structuredInput(r)),
      ...Array.from({ length: 4000 }, () => mutatedInput(r)),
      ...Array.from({ length: 1000 }, () =>
        Buffer.from(Array.from({ length: r.int(0, 64) }, () => r.int(0, 255))),
      ),
    ];
    const wasm = new WasmGatewayDecoder();
    const exact = new FastMsgpackDecoder();
    const disagreements = inputs.flatMap((bytes) => {
      const w = wasm.decode(bytes);
      const e = exact.decode(bytes);
      return isDeepStrictEqual(w, e) ? [] : [{ hex: bytes.toString('hex'), wasm: w, exact: e }];
    });
    expect(disagreements.slice(0, 3)).toEqual([]);
    // Both paths were exercised: the fast one on plain records, the exact one on the rest.
    expect(wasm.fast).toBeGreaterThan(1000);
    expect(wasm.exactCount).toBeGreaterThan(4000);
  });
});
