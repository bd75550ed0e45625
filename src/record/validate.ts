import type { AnalyticsRecord, DecodeResult } from './record.ts';
import { reject } from './record.ts';

/**
 * Longest identity string accepted (characters). A longer one is a corrupt record: such a row
 * could exceed a store's index limits, and a batch that fails to commit every time would stall
 * the Redis drain.
 */
export const MAX_FIELD_CHARS = 1_024;

/**
 * Largest duration (ms, either sign) accepted in RequestTime and the latencies: about 24.8 days,
 * far beyond any gateway timeout. A larger one is corrupt, and would break exactness twice: sums
 * past 2^53 lose integer precision, and past 2^63 PostgreSQL's bigint rejects every commit of
 * the row's batch, stalling the drain.
 */
export const MAX_DURATION_MS = 2_147_483_647;

const duration = (v: number): boolean => Number.isInteger(v) && v <= MAX_DURATION_MS && v >= -MAX_DURATION_MS;

/** Largest timestamp we accept (year 9999): anything beyond is a corrupt record, not traffic. */
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

/**
 * Checks the invariants every decoded record must satisfy, whatever its wire format.
 * Decoders only check types; the rules about what a record *means* live here once.
 */
export function validateRecord(record: AnalyticsRecord): DecodeResult {
  const problem = recordProblem(record);
  return problem === undefined ? { ok: true, record } : reject(problem);
}

/** Why `record` breaks an invariant, or undefined when it is valid (no allocation either way). */
export function recordProblem(record: AnalyticsRecord): string | undefined {
  if (record.orgId === '') return 'OrgID is missing or empty';
  const long = oversizeField(record);
  if (long !== undefined) return `${long} is longer than ${MAX_FIELD_CHARS} characters`;
  if (!Number.isInteger(record.responseCode)) return 'ResponseCode is not an integer';
  // Spelled out rather than looped over a table: this runs for every record on the hot path.
  // Whole milliseconds, as the gateway's int64 fields are: every store keeps them as integers.
  if (!duration(record.requestTime)) return durationProblem('RequestTime', record.requestTime);
  if (!duration(record.latencyTotal)) return durationProblem('Latency.Total', record.latencyTotal);
  if (!duration(record.latencyUpstream)) return durationProblem('Latency.Upstream', record.latencyUpstream);
  if (
    !Number.isFinite(record.timestampMs) ||
    record.timestampMs < 0 ||
    record.timestampMs > MAX_TIMESTAMP_MS
  ) {
    return 'TimeStamp is out of range';
  }
  return undefined;
}

const durationProblem = (name: string, v: number): string =>
  Number.isInteger(v) ? `${name} is out of range (|ms| > ${MAX_DURATION_MS})` : `${name} is not an integer`;

function oversizeField(r: AnalyticsRecord): string | undefined {
  if (r.orgId.length > MAX_FIELD_CHARS) return 'OrgID';
  if (r.apiId.length > MAX_FIELD_CHARS) return 'APIID';
  if (r.apiName.length > MAX_FIELD_CHARS) return 'APIName';
  if (r.path.length > MAX_FIELD_CHARS) return 'Path';
  if (r.method.length > MAX_FIELD_CHARS) return 'Method';
  if (r.apiKey.length > MAX_FIELD_CHARS) return 'APIKey';
  if (r.oauthId.length > MAX_FIELD_CHARS) return 'OauthID';
  return undefined;
}
