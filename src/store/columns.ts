import type { AggregateRow } from '../aggregate/aggregate.ts';
import { type Counters, mergeInto } from '../aggregate/counters.ts';
import { codesJson } from './codes-json.ts';
import type { EndpointTotals, RetentionCutoff } from './store.ts';

/** Column order shared by every store's aggregate upsert; `rowParams` follows it exactly. */
export const AGG_COLUMNS = [
  'kind',
  'subject',
  'org_id',
  'bucket',
  'api_id',
  'path',
  'method',
  'hits',
  'success',
  'error',
  'sum_request_time',
  'sum_latency',
  'sum_upstream',
  'max_latency',
  'max_upstream',
  'min_latency_ok',
  'min_upstream_ok',
  'min_latency_all',
  'min_upstream_all',
  'last_hit',
  'api_name',
  'codes',
] as const;

/** Every granularity's table, in the order commits write (and PostgreSQL locks) them. */
export const AGG_TABLES = {
  hours: 'agg_hour',
  days: 'agg_day',
  weeks: 'agg_week',
  months: 'agg_month',
} as const;
export type AggregateTableName = (typeof AGG_TABLES)[keyof typeof AGG_TABLES];
/** The batch's row lists, in that same order. */
export const AGG_LEVELS = Object.keys(AGG_TABLES) as Array<keyof typeof AGG_TABLES>;

export function rowParams(r: AggregateRow): Array<string | number | null> {
  const c = r.counters;
  return [
    r.kind,
    r.subject,
    r.orgId,
    r.bucket,
    r.apiId,
    r.path,
    r.method,
    c.hits,
    c.success,
    c.error,
    c.sumRequestTime,
    c.sumLatency,
    c.sumUpstream,
    c.maxLatency,
    c.maxUpstream,
    c.minLatencyOk,
    c.minUpstreamOk,
    c.minLatencyAll,
    c.minUpstreamAll,
    c.lastHitMs,
    c.apiName,
    codesJson(c.codes),
  ];
}

/** Stable lock order for concurrent writers: rows sorted by their full key. */
export function compareRows(a: AggregateRow, b: AggregateRow): number {
  return (
    cmp(a.kind, b.kind) ||
    cmp(a.subject, b.subject) ||
    cmp(a.orgId, b.orgId) ||
    a.bucket - b.bucket ||
    cmp(a.apiId, b.apiId) ||
    cmp(a.path, b.path) ||
    cmp(a.method, b.method)
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A merged query row as any SQL store returns it (drivers may hand integers back as strings). */
export interface TotalsRow {
  api_id: string;
  path: string;
  hits: number | string;
  success: number | string;
  error: number | string;
  sum_request_time: number | string;
  sum_latency: number | string;
  sum_upstream: number | string;
  max_latency: number | string;
  max_upstream: number | string;
  min_latency_ok: number | string | null;
  min_upstream_ok: number | string | null;
  min_latency_all: number | string;
  min_upstream_all: number | string;
  last_hit: number | string;
  api_name: string;
}

const n = (v: number | string): number => Number(v);
const nn = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** Counters of one query row, built field by field (no spread: 200 rows per busy-key query). */
function countersFromRow(r: TotalsRow, codes: Map<number, number>): Counters {
  return {
    hits: n(r.hits),
    success: n(r.success),
    error: n(r.error),
    sumRequestTime: n(r.sum_request_time),
    sumLatency: n(r.sum_latency),
    sumUpstream: n(r.sum_upstream),
    maxLatency: n(r.max_latency),
    maxUpstream: n(r.max_upstream),
    minLatencyOk: nn(r.min_latency_ok),
    minUpstreamOk: nn(r.min_upstream_ok),
    minLatencyAll: n(r.min_latency_all),
    minUpstreamAll: n(r.min_upstream_all),
    lastHitMs: n(r.last_hit),
    apiName: r.api_name,
    codes,
  };
}

/** Query rows carry no response codes: rows merged into an endpoint share this empty, never-written map. */
const NO_CODES: Map<number, number> = new Map();

/**
 * Merges per-segment totals (one per table range and api_name) into one row per endpoint with
 * the counter algebra; the api_name of the latest hit wins. The counters handed out keep an
 * empty `codes` map of their own (queries never read codes back).
 */
export function mergeTotals(rows: Iterable<TotalsRow>): EndpointTotals[] {
  const byEndpoint = new Map<string, { apiId: string; path: string; counters: Counters }>();
  for (const r of rows) {
    const id = `${r.api_id}\u0000${r.path}`;
    const seen = byEndpoint.get(id);
    if (seen) mergeInto(seen.counters, countersFromRow(r, NO_CODES));
    else byEndpoint.set(id, { apiId: r.api_id, path: r.path, counters: countersFromRow(r, new Map()) });
  }
  return [...byEndpoint.values()];
}

/** Each aggregate table with the bucket below which retention deletes its rows. */
export const retentionTargets = (c: RetentionCutoff): Array<[AggregateTableName, number]> => [
  [AGG_TABLES.hours, c.hour],
  [AGG_TABLES.days, c.day],
  [AGG_TABLES.weeks, c.week],
  [AGG_TABLES.months, c.month],
];
