import { Unpackr } from 'msgpackr';
import { type FieldNames, recordFromObject } from './from-object.ts';
import type { DecodeResult } from './record.ts';
import { WasmGatewayDecoder } from './wasm-decoder.ts';

/** The gateway encodes with Go field names as map keys. */
const GO_NAMES: FieldNames = {
  orgId: 'OrgID',
  apiId: 'APIID',
  apiName: 'APIName',
  path: 'Path',
  method: 'Method',
  apiKey: 'APIKey',
  oauthId: 'OauthID',
  responseCode: 'ResponseCode',
  requestTime: 'RequestTime',
  latency: 'Latency',
  latencyTotal: 'Total',
  latencyUpstream: 'Upstream',
  timestamp: 'TimeStamp',
  trackPath: 'TrackPath',
  graphQLStats: 'GraphQLStats',
  isGraphQL: 'IsGraphQL',
  mcpStats: 'MCPStats',
  isMCP: 'IsMCP',
};

const toNumber = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;

/**
 * The gateway writes `time.Time` as `[unix_seconds, nanoseconds]`. The msgpack timestamp
 * extension (which msgpackr turns into a Date) is accepted too, for other producers.
 */
export function parseGoTime(value: unknown): number | string {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? 'is not a valid time' : ms;
  }
  if (!Array.isArray(value) || value.length !== 2) return 'must be [unix_seconds, nanoseconds]';
  const sec = toNumber(value[0]);
  const nsec = toNumber(value[1]);
  if (sec === undefined || nsec === undefined || !Number.isInteger(sec) || !Number.isInteger(nsec)) {
    return 'must be [unix_seconds, nanoseconds] integers';
  }
  if (nsec < 0 || nsec > 999_999_999) return 'has nanoseconds out of range';
  return sec * 1000 + Math.floor(nsec / 1_000_000);
}

// 64-bit integers come back as bigint, so recordFromObject can reject the unsafe ones as out of
// range instead of silently rounding them ('number' would round).
const unpackr = new Unpackr({ mapsAsObjects: true, useRecords: false, int64AsType: 'bigint' });

/** Parses a decoded msgpack value (a map with Go field names) into a record. */
export const recordFromGoObject = (value: unknown): DecodeResult =>
  recordFromObject(value, GO_NAMES, parseGoTime);

/**
 * Decodes one gateway record with msgpackr (materialising the whole object) then picks the
 * fields. The reference semantics for the fast decoder, and its benchmark baseline.
 */
export function decodeMsgpackRecordGeneric(bytes: Uint8Array): DecodeResult {
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (err) {
    return { ok: false, reason: `undecodable msgpack: ${(err as Error).message}` };
  }
  return recordFromGoObject(value);
}

/** Makes keymeter's gateway-record decoder with its own string caches (see WasmGatewayDecoder). */
export function createMsgpackRecordDecoder(): (bytes: Uint8Array) => DecodeResult {
  const decoder = new WasmGatewayDecoder();
  return (bytes) => decoder.decode(bytes);
}

let shared: ((bytes: Uint8Array) => DecodeResult) | undefined;

/**
 * Decodes one record exactly as the gateway encodes it; never throws for bad input. The shared
 * decoder, made on first use (its WebAssembly memory is 4 MiB), only holds bounded string caches,
 * which have no observable effect on results.
 */
export const decodeMsgpackRecord = (bytes: Uint8Array): DecodeResult => {
  shared ??= createMsgpackRecordDecoder();
  return shared(bytes);
};

/** Decodes a msgpack array of records (the HTTP ingest body); undefined if the body itself is malformed. */
export function unpackMsgpackArray(bytes: Uint8Array): unknown[] | undefined {
  try {
    const value: unknown = unpackr.unpack(bytes);
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
