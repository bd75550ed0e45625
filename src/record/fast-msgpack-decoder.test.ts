import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { rec } from '../../test/helpers/records.ts';
import { FastMsgpackDecoder } from './fast-msgpack-decoder.ts';
import { encodeGatewayRecord, gatewayObject } from './gateway-encoder.ts';
import { createMsgpackRecordDecoder, decodeMsgpackRecordGeneric } from './msgpack-decoder.ts';
import type { DecodeResult } from './record.ts';
import { StringInterner } from './string-interner.ts';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');
const f64 = (v: number) => {
  const b = Buffer.alloc(9);
  b[0] = 0xcb;
  b.writeDoubleBE(v, 1);
  return b;
};
const f32 = (v: number) => {
  const b = Buffer.alloc(5);
  b[0] = 0xca;
  b.writeFloatBE(v, 1);
  return b;
};
const u64 = (v: bigint) => Buffer.concat([hex('cf'), Buffer.from(new BigUint64Array([v]).buffer).reverse()]);
const i64 = (v: bigint) => Buffer.concat([hex('d3'), Buffer.from(new BigInt64Array([v]).buffer).reverse()]);

/** The gateway map for rec(), with some values replaced by raw msgpack bytes (undefined = key dropped). */
function record(raw: Record<string, Buffer | undefined> = {}, extra: [string, Buffer][] = []): Buffer {
  const entries: [string, Buffer][] = Object.entries(gatewayObject(rec())).map(([k, v]) => [
    k,
    packr.pack(v),
  ]);
  const kept = entries.filter(([k]) => !(k in raw) || raw[k] !== undefined);
  const all = [...kept.map(([k, v]): [string, Buffer] => [k, raw[k] ?? v]), ...extra];
  const head = Buffer.alloc(3);
  head[0] = 0xde;
  head.writeUInt16BE(all.length, 1);
  return Buffer.concat([head, ...all.flatMap(([k, v]) => [packr.pack(k), v])]);
}

const exactAlone = (): ((bytes: Uint8Array) => DecodeResult) => {
  const decoder = new FastMsgpackDecoder();
  return (bytes) => decoder.decode(bytes);
};
const DECODERS: [string, () => (bytes: Uint8Array) => DecodeResult][] = [
  ['keymeter decoder (WebAssembly fast path, exact fallback)', createMsgpackRecordDecoder],
  ['exact decoder alone', exactAlone],
];

describe.each(DECODERS)('%s', (_name, makeDecoder) => {
  const fast = makeDecoder();
  /** Decodes with the fast decoder and checks the generic one accepts/rejects alike, with the same record. */
  function both(bytes: Uint8Array): DecodeResult {
    const f = fast(bytes);
    const g = decodeMsgpackRecordGeneric(bytes);
    expect({ ok: f.ok, record: f.ok ? f.record : undefined }).toEqual({
      ok: g.ok,
      record: g.ok ? g.record : undefined,
    });
    return f;
  }
  const rejects = (bytes: Uint8Array, reason: RegExp) => {
    const r = both(bytes);
    expect(r.ok ? 'accepted' : r.reason).toMatch(reason);
  };

  it('decodes what the gateway encodes, including from a view into a larger buffer', () => {
    const r = rec({ oauthId: 'client-1', timestampMs: Date.UTC(2024, 0, 15, 12, 0, 0, 123) });
    const bytes = encodeGatewayRecord(r, { rawRequest: 'R'.repeat(600) });
    expect(both(bytes)).toEqual({ ok: true, record: r });
    const padded = Buffer.concat([Buffer.from([1, 2, 3]), bytes, Buffer.from([4])]);
    expect(fast(padded.subarray(3, 3 + bytes.length))).toEqual({ ok: true, record: r });
  });

  it('rejects every truncation of a record, and trailing bytes', () => {
    const bytes = encodeGatewayRecord(rec());
    for (let n = 0; n < bytes.length; n++) expect(both(bytes.subarray(0, n)).ok).toBe(false);
    rejects(Buffer.concat([bytes, hex('00')]), /trailing bytes/);
    rejects(Buffer.concat([bytes, bytes]), /trailing bytes/);
  });

  it('rejects wrong types, naming the field', () => {
    rejects(record({ ResponseCode: packr.pack('200') }), /ResponseCode must be a number/);
    rejects(record({ OrgID: packr.pack(5) }), /OrgID must be a string/);
    rejects(record({ APIKey: packr.pack(Buffer.from('k')) }), /APIKey must be a string/);
    rejects(record({ TrackPath: packr.pack(1) }), /TrackPath must be a boolean/);
    rejects(record({ Latency: packr.pack([1, 2]) }), /Latency must be a map/);
    rejects(record({ Latency: packr.pack({ Total: 'x' }) }), /Latency.Total must be a number/);
    rejects(record({ GraphQLStats: packr.pack({ IsGraphQL: 0 }) }), /IsGraphQL must be a boolean/);
    rejects(record({ TimeStamp: packr.pack('2024-01-15T12:00:00Z') }), /TimeStamp must be/);
    rejects(record({ TimeStamp: packr.pack([1, 2, 3]) }), /TimeStamp must be/);
    rejects(record({ TimeStamp: packr.pack([1.5, 0]) }), /TimeStamp must be .* integers/);
    rejects(record({ TimeStamp: packr.pack([1, 1_000_000_000]) }), /nanoseconds out of range/);
    rejects(record({ TimeStamp: packr.pack([-1, 0]) }), /TimeStamp is out of range/);
    rejects(packr.pack([gatewayObject(rec())]), /not an object \(expected a msgpack map\)/);
    rejects(packr.pack('record'), /not an object \(expected a msgpack map\)/);
  });

  it('treats nil and absent optional fields as Go zero values; TimeStamp and ResponseCode are required', () => {
    const nil = hex('c0');
    const zeroed = { apiId: '', apiName: '', path: '', method: '', apiKey: '', oauthId: '', requestTime: 0 };
    const optional = { APIID: nil, APIName: nil, Path: nil, Method: nil, APIKey: nil, OauthID: nil };
    expect(
      both(record({ ...optional, RequestTime: nil, Latency: nil, TrackPath: nil, MCPStats: nil })),
    ).toEqual({
      ok: true,
      record: rec({ ...zeroed, latencyTotal: 0, latencyUpstream: 0, trackPath: false }),
    });
    expect(both(record({ ...optional, RequestTime: undefined, Latency: undefined }))).toMatchObject({
      ok: true,
    });
    rejects(record({ OrgID: nil }), /OrgID is missing/);
    rejects(record({ TimeStamp: nil }), /TimeStamp is missing/);
    rejects(record({ TimeStamp: undefined }), /TimeStamp is missing/);
    rejects(record({ ResponseCode: nil }), /ResponseCode is missing/);
    rejects(record({ ResponseCode: undefined }), /ResponseCode is missing/);
  });

  it('lets the last of repeated keys win, as msgpackr does', () => {
    const last = (k: string, v: Buffer): [string, Buffer][] => [[k, v]];
    expect(both(record({}, last('OrgID', packr.pack('org-z'))))).toMatchObject({
      record: { orgId: 'org-z' },
    });
    expect(
      both(record({ ResponseCode: packr.pack('x') }, last('ResponseCode', packr.pack(404)))),
    ).toMatchObject({
      record: { responseCode: 404 },
    });
    rejects(record({}, last('ResponseCode', packr.pack('x'))), /ResponseCode must be a number/);
    // A repeated Latency replaces the whole earlier map.
    const latency = packr.pack({ Upstream: 7 });
    expect(both(record({}, last('Latency', latency)))).toMatchObject({
      record: { latencyTotal: 0, latencyUpstream: 7 },
    });
  });

  it('range-checks 64-bit integers and accepts integral floats like the generic decoder', () => {
    rejects(record({ ResponseCode: u64(2n ** 53n) }), /ResponseCode is out of range/);
    rejects(record({ RequestTime: i64(-(2n ** 63n)) }), /RequestTime is out of range/);
    expect(both(record({ RequestTime: i64(2n ** 31n - 1n) }))).toMatchObject({
      record: { requestTime: 2 ** 31 - 1 },
    });
    // Safe integers, but no real duration: summed, they would overflow PostgreSQL's bigint.
    rejects(record({ RequestTime: i64(2n ** 53n - 1n) }), /RequestTime is out of range/);
    rejects(record({ Latency: packr.pack({ Total: -(2 ** 31) }) }), /Latency.Total is out of range/);
    expect(both(record({ ResponseCode: u64(404n) }))).toMatchObject({ record: { responseCode: 404 } });
    expect(both(record({ ResponseCode: f64(201) }))).toMatchObject({ record: { responseCode: 201 } });
    expect(both(record({ ResponseCode: f32(503) }))).toMatchObject({ record: { responseCode: 503 } });
    rejects(record({ RequestTime: f64(1.5) }), /RequestTime is not an integer/);
    expect(both(record({ RequestTime: f64(12) }))).toMatchObject({ record: { requestTime: 12 } });
    rejects(record({ ResponseCode: f64(200.5) }), /ResponseCode is not an integer/);
    rejects(record({ RequestTime: f64(Number.NaN) }), /RequestTime must be a number/);
    rejects(record({ RequestTime: f32(Number.POSITIVE_INFINITY) }), /RequestTime must be a number/);
  });

  it('accepts the msgpack timestamp extension for TimeStamp, to the same millisecond', () => {
    for (const ms of [0, 1_700_000_000_000, 1_700_000_000_999, 2 ** 34 * 1000 + 5, 253_402_300_799_999]) {
      const r = both(record({ TimeStamp: packr.pack(new Date(ms)) }));
      expect(r).toMatchObject({ ok: true, record: { timestampMs: ms } });
    }
    rejects(record({ TimeStamp: hex('d5ff 0000') }), /TimeStamp is not a valid time/);
  });

  it('skips huge and deeply nested fields it does not need, within bounds', () => {
    expect(both(record({ RawRequest: packr.pack('x'.repeat(1 << 20)) })).ok).toBe(true);
    rejects(record({ RawRequest: hex('db ffffffff 41') }), /truncated/);
    rejects(record({ Tags: hex('dd ffffffff') }), /truncated/);
    const nested = (depth: number) => Buffer.concat([Buffer.alloc(depth, 0x91), hex('01')]);
    expect(both(record({ Tags: nested(50) })).ok).toBe(true);
    rejects(record({ Tags: nested(20_000) }), /nesting deeper than 100 levels/);
  });

  it('checks map keys and extension types wherever they are', () => {
    expect(both(record({}, [['7', hex('01')]])).ok).toBe(true);
    const intKey = Buffer.concat([record(), hex('0701')]);
    intKey.writeUInt16BE(intKey.readUInt16BE(1) + 1, 1);
    expect(both(intKey).ok).toBe(true);
    rejects(record({ Geo: hex('81 9100 01') }), /map key at byte \d+ is not a string or scalar/);
    rejects(record({ Geo: hex('81 c40100 01') }), /map key/);
    rejects(record({ Tags: hex('d4 05 00') }), /extension type 5/);
    expect(both(record({ Tags: packr.pack(new Date(0)) })).ok).toBe(true);
  });

  it('mirrors msgpackr where it turns bin and timestamps into objects: a Latency of that kind has no fields', () => {
    const zero = { latencyTotal: 0, latencyUpstream: 0 };
    expect(both(record({ Latency: packr.pack(Buffer.from('x')) }))).toMatchObject({ record: zero });
    expect(both(record({ Latency: packr.pack(new Date(5)) }))).toMatchObject({ record: zero });
  });

  it('parts from msgpackr on its private extensions, 0xc1 and absurd nesting (ADR 0004)', () => {
    for (const bytes of [hex('d4 00 00'), hex('c1'), Buffer.concat([Buffer.alloc(150, 0x91), hex('01')])]) {
      const withIt = record({ Alias: bytes });
      expect(decodeMsgpackRecordGeneric(withIt).ok).toBe(true);
      expect(fast(withIt).ok).toBe(false);
    }
  });
});

describe('string interner', () => {
  it('keeps its own copy of the bytes, so a reused input buffer cannot corrupt it', () => {
    const interner = new StringInterner({ slots: 1 });
    const buf = Buffer.from('xkey-aaaa');
    expect(interner.get(buf, 1, 8)).toBe('key-aaaa');
    buf.write('key-bbbb', 1);
    expect(interner.get(buf, 1, 8)).toBe('key-bbbb');
    expect(interner.get(Buffer.from('key-aaaa'), 0, 8)).toBe('key-aaaa');
  });

  it('returns the right string whatever collides in a tiny table', () => {
    const interner = new StringInterner({ slots: 2 });
    const words = ['a', 'b', 'ab', 'ba', 'é', '😀', '\uFEFFx', 'a'.repeat(200)];
    for (let round = 0; round < 3; round++) {
      for (const w of words) {
        const bytes = Buffer.concat([Buffer.from('zz'), Buffer.from(w)]);
        expect(interner.get(bytes, 2, bytes.length - 2)).toBe(w);
      }
    }
  });
});
