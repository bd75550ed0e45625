import type { AnalyticsRecord, DecodeResult } from './record.ts';
import { reject } from './record.ts';
import { validateRecord } from './validate.ts';

/** Where each field lives in a decoded object: JSON and msgpack differ only in these names. */
export interface FieldNames {
  orgId: string;
  apiId: string;
  apiName: string;
  path: string;
  method: string;
  apiKey: string;
  oauthId: string;
  responseCode: string;
  requestTime: string;
  latency: string;
  latencyTotal: string;
  latencyUpstream: string;
  timestamp: string;
  trackPath: string;
  graphQLStats: string;
  isGraphQL: string;
  mcpStats: string;
  isMCP: string;
}

/** Turns the wire form of a timestamp into Unix ms, or a reason. */
export type TimeParser = (value: unknown) => number | string;

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class FieldError extends Error {}

function str(o: Obj, key: string, required: boolean): string {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw new FieldError(`${key} is missing`);
    return '';
  }
  if (typeof v !== 'string') throw new FieldError(`${key} must be a string`);
  return v;
}

function num(o: Obj, key: string, required: boolean, where = ''): number {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw new FieldError(`${where}${key} is missing`);
    return 0;
  }
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new FieldError(`${where}${key} is out of range`);
    }
    return Number(v);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new FieldError(`${where}${key} must be a number`);
  return v;
}

function bool(o: Obj, key: string, fallback: boolean, where = ''): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new FieldError(`${where}${key} must be a boolean`);
  return v;
}

function sub(o: Obj, key: string): Obj {
  const v = o[key];
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new FieldError(`${key} must be an object`);
  return v;
}

/**
 * Builds an AnalyticsRecord from an already-parsed object (JSON or generic msgpack), checking
 * every field's type. Absent optional fields take their Go zero value, as the gateway would send.
 */
export function recordFromObject(value: unknown, names: FieldNames, parseTime: TimeParser): DecodeResult {
  if (!isObject(value)) return reject('record is not an object');
  try {
    const latency = sub(value, names.latency);
    const latencyWhere = `${names.latency}.`;
    const rawTime = value[names.timestamp];
    if (rawTime === undefined || rawTime === null) return reject(`${names.timestamp} is missing`);
    const timestampMs = parseTime(rawTime);
    if (typeof timestampMs === 'string') return reject(`${names.timestamp} ${timestampMs}`);
    const orgId = str(value, names.orgId, true);
    if (orgId === '') return reject(`${names.orgId} is empty`);
    const record: AnalyticsRecord = {
      orgId,
      apiId: str(value, names.apiId, false),
      apiName: str(value, names.apiName, false),
      path: str(value, names.path, false),
      method: str(value, names.method, false),
      apiKey: str(value, names.apiKey, false),
      oauthId: str(value, names.oauthId, false),
      responseCode: num(value, names.responseCode, true),
      requestTime: num(value, names.requestTime, false),
      latencyTotal: num(latency, names.latencyTotal, false, latencyWhere),
      latencyUpstream: num(latency, names.latencyUpstream, false, latencyWhere),
      timestampMs,
      trackPath: bool(value, names.trackPath, false),
      isGraphQL: bool(sub(value, names.graphQLStats), names.isGraphQL, false, `${names.graphQLStats}.`),
      isMCP: bool(sub(value, names.mcpStats), names.isMCP, false, `${names.mcpStats}.`),
    };
    return validateRecord(record);
  } catch (err) {
    if (err instanceof FieldError) return reject(err.message);
    throw err;
  }
}
