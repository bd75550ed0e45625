import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { rec } from '../../test/helpers/records.ts';
import { TimeZone } from '../aggregate/time-zone.ts';
import { formatLastHit } from '../api/last-hit.ts';
import { encodeGatewayRecord, gatewayObject } from './gateway-encoder.ts';
import { decodeJsonRecord } from './json-decoder.ts';
import { decodeMsgpackRecord } from './msgpack-decoder.ts';
import { parseRfc3339 } from './rfc3339.ts';

const packr = new Packr({ useRecords: false });
const json = {
  org_id: 'o',
  api_id: 'a',
  api_name: 'n',
  path: '/p',
  method: 'GET',
  api_key: 'k',
  oauth_id: '',
  response_code: 200,
  request_time: 5,
  latency: { total: 5, upstream: 4, gateway: 1 },
  timestamp: '2020-10-13T13:22:49.667+05:30',
  track_path: true,
};

describe('JSON records', () => {
  it('decodes Tyk JSON keys and RFC 3339 timestamps with offsets', () => {
    const r = decodeJsonRecord(json);
    expect(r).toEqual({
      ok: true,
      record: {
        orgId: 'o',
        apiId: 'a',
        apiName: 'n',
        path: '/p',
        method: 'GET',
        apiKey: 'k',
        oauthId: '',
        responseCode: 200,
        requestTime: 5,
        latencyTotal: 5,
        latencyUpstream: 4,
        timestampMs: Date.UTC(2020, 9, 13, 7, 52, 49, 667),
        trackPath: true,
        isGraphQL: false,
        isMCP: false,
      },
    });
  });

  it.each([
    ['no org', { ...json, org_id: undefined }, /org_id/],
    ['empty org', { ...json, org_id: '' }, /OrgID|org/i],
    ['string code', { ...json, response_code: '200' }, /response_code/],
    ['missing code', { ...json, response_code: undefined }, /response_code/],
    ['bad latency', { ...json, latency: { total: 'x' } }, /latency\.total/],
    ['missing timestamp', { ...json, timestamp: undefined }, /timestamp/],
    ['not RFC 3339', { ...json, timestamp: 'Tue Oct 13 2020' }, /timestamp/],
    ['impossible date', { ...json, timestamp: '2021-02-29T00:00:00Z' }, /timestamp/],
    ['GraphQL flag wrong type', { ...json, graphql_stats: { is_graphql: 'yes' } }, /is_graphql/],
    ['an array', [1, 2], /not an object/],
    ['null', null, /not an object/],
  ])('rejects %s with a reason', (_label, value, reason) => {
    const r = decodeJsonRecord(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('parses RFC 3339 strictly', () => {
    expect(parseRfc3339('2024-02-29T23:59:59.999999999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parseRfc3339('2024-01-01T00:00:00-01:30')).toBe(Date.UTC(2024, 0, 1, 1, 30));
    expect(typeof parseRfc3339('2024-01-01')).toBe('string');
    expect(typeof parseRfc3339('2024-13-01T00:00:00Z')).toBe('string');
  });
});

describe('gateway msgpack records', () => {
  it('decodes the gateway encoding: Go field names, time as [sec, nsec]', () => {
    const r = rec({ timestampMs: 1_602_579_169_667, oauthId: 'c', isGraphQL: false });
    expect(decodeMsgpackRecord(encodeGatewayRecord(r))).toEqual({ ok: true, record: r });
  });

  it('accepts the msgpack timestamp extension as well', () => {
    const o = { ...gatewayObject(rec()), TimeStamp: new Date(Date.UTC(2024, 0, 1, 0, 0, 1, 5)) };
    const r = decodeMsgpackRecord(packr.pack(o));
    expect(r.ok && r.record.timestampMs).toBe(Date.UTC(2024, 0, 1, 0, 0, 1, 5));
  });

  it.each([
    ['truncated', encodeGatewayRecord(rec()).subarray(0, 50), /msgpack|missing/i],
    ['random bytes', Buffer.from([0xc1, 0xc1, 0xc1]), /msgpack/i],
    ['no OrgID', packr.pack({ ...gatewayObject(rec()), OrgID: '' }), /OrgID/],
    ['wrong type', packr.pack({ ...gatewayObject(rec()), ResponseCode: 'ok' }), /ResponseCode/],
    ['bad time', packr.pack({ ...gatewayObject(rec()), TimeStamp: [1, 2, 3] }), /TimeStamp/],
    ['nanoseconds out of range', packr.pack({ ...gatewayObject(rec()), TimeStamp: [1, 2e9] }), /TimeStamp/],
    ['not a map', packr.pack([1, 2, 3]), /not an object/],
  ])('rejects %s with a reason, never throwing', (_label, bytes, reason) => {
    const r = decodeMsgpackRecord(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('last_hit formatting', () => {
  it('trims trailing fractional zeros like Go RFC3339Nano and writes Z or the offset', () => {
    const utc = new TimeZone('UTC');
    expect(formatLastHit(Date.UTC(2020, 9, 13, 7, 52, 49, 667), utc)).toBe('2020-10-13T07:52:49.667Z');
    expect(formatLastHit(Date.UTC(2020, 9, 13, 7, 52, 49, 600), utc)).toBe('2020-10-13T07:52:49.6Z');
    expect(formatLastHit(Date.UTC(2020, 9, 13, 7, 52, 49), utc)).toBe('2020-10-13T07:52:49Z');
    const kolkata = new TimeZone('Asia/Kolkata');
    expect(formatLastHit(Date.UTC(2020, 9, 13, 7, 52, 49, 667), kolkata)).toBe(
      '2020-10-13T13:22:49.667+05:30',
    );
    const ny = new TimeZone('America/New_York');
    expect(formatLastHit(Date.UTC(2024, 0, 1, 5), ny)).toBe('2024-01-01T00:00:00-05:00');
    expect(formatLastHit(Date.UTC(2024, 6, 1, 4, 0, 0, 10), ny)).toBe('2024-07-01T00:00:00.01-04:00');
    expect(formatLastHit(Date.UTC(2024, 0, 1, 12), new TimeZone('Europe/London'))).toBe(
      '2024-01-01T12:00:00Z',
    );
  });
});

describe('whole-millisecond fields', () => {
  it('rejects fractional latencies and request times, as every store keeps integers', () => {
    for (const bad of [
      { request_time: 1.5 },
      { latency: { total: 2.25, upstream: 1 } },
      { latency: { total: 2, upstream: 0.1 } },
    ]) {
      const r = decodeJsonRecord({ ...json, ...bad });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/integer/);
    }
    expect(decodeMsgpackRecord(packr.pack({ ...gatewayObject(rec()), RequestTime: 3.5 })).ok).toBe(false);
  });
});

describe('identity strings', () => {
  it('rejects an identity field longer than 1024 characters, in either format', () => {
    const r = decodeJsonRecord({ ...json, path: `/${'x'.repeat(1024)}` });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/Path is longer than 1024/);
    expect(decodeJsonRecord({ ...json, path: `/${'x'.repeat(1023)}` }).ok).toBe(true);
    expect(decodeMsgpackRecord(packr.pack({ ...gatewayObject(rec()), APIKey: 'k'.repeat(1025) })).ok).toBe(
      false,
    );
  });
});
