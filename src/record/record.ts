/**
 * One Tyk analytics record, reduced to the fields keymeter uses. Both decoders (JSON and the
 * gateway's msgpack) produce exactly this shape, so everything downstream is format-agnostic.
 */
export interface AnalyticsRecord {
  orgId: string;
  apiId: string;
  apiName: string;
  path: string;
  method: string;
  /** Key hash as the gateway writes it; `00000000` is the unauthenticated key; '' = none. */
  apiKey: string;
  /** OAuth client id; '' = none. */
  oauthId: string;
  /** HTTP status; -1 marks a TCP-stats record that is not a hit. */
  responseCode: number;
  requestTime: number;
  latencyTotal: number;
  latencyUpstream: number;
  /** Record timestamp in Unix milliseconds (the gateway's nanoseconds are truncated). */
  timestampMs: number;
  trackPath: boolean;
  isGraphQL: boolean;
  isMCP: boolean;
}

export type DecodeResult = { ok: true; record: AnalyticsRecord } | { ok: false; reason: string };

export const reject = (reason: string): DecodeResult => ({ ok: false, reason });

/** A record with every field at its zero value, in the one shape V8 sees for all records. */
export const emptyRecord = (): AnalyticsRecord => ({
  orgId: '',
  apiId: '',
  apiName: '',
  path: '',
  method: '',
  apiKey: '',
  oauthId: '',
  responseCode: 0,
  requestTime: 0,
  latencyTotal: 0,
  latencyUpstream: 0,
  timestampMs: 0,
  trackPath: false,
  isGraphQL: false,
  isMCP: false,
});

/** A decoder that fills one reused record: returns why the record is rejected, or undefined. */
export interface RecordReader {
  read(bytes: Uint8Array, into: AnalyticsRecord): string | undefined;
}

/** One record through a RecordReader, as a fresh DecodeResult. */
export function readOne(reader: RecordReader, bytes: Uint8Array): DecodeResult {
  const record = emptyRecord();
  const problem = reader.read(bytes, record);
  return problem === undefined ? { ok: true, record } : reject(problem);
}

/** Decodes one record's bytes; never throws for bad input. */
export type RecordDecoder = (bytes: Uint8Array) => DecodeResult;
