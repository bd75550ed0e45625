import { type AggregateBatch, type AggregateRow, rollUp } from '../src/aggregate/aggregate.ts';
import {
  addSample,
  type CounterSample,
  type Counters,
  cloneCounters,
  countersOf,
} from '../src/aggregate/counters.ts';
import type { TimeZone } from '../src/aggregate/time-zone.ts';

/** Size of the synthetic data set; every figure is configurable through BENCH_* variables. */
export interface DataSet {
  orgId: string;
  /** First day of the busy subjects' year (UTC ms). */
  startMs: number;
  days: number;
  endpoints: number;
  /** Background keys with a little traffic each, so the tables hold many subjects. */
  keys: number;
  /** Records per busy endpoint per hour (the raw table holds exactly these). */
  perHour: number;
}

export const BUSY_KEY = 'busy-key';
export const BUSY_CLIENT = 'busy-client';
const HOUR = 3_600_000;

export const apiOf = (e: number): string => `api-${e % 20}`;
export const pathOf = (e: number): string => `/v1/resource-${e}`;

/**
 * The busy subjects' r-th record to endpoint e in hour k of the data set. The raw table is built
 * from the same formulas in SQL (query-raw.ts), so both sides hold exactly the same traffic.
 */
export function busyRecord(d: DataSet, e: number, k: number, r: number): CounterSample {
  const latency = 5 + ((e * 7 + k * 13 + r * 29) % 400);
  return {
    responseCode: (e + k + r) % 25 === 0 ? 500 : 200,
    requestTime: latency + 1,
    latencyTotal: latency,
    latencyUpstream: latency - 1 - ((e + r) % 4),
    timestampMs: d.startMs + k * HOUR + ((r * 997 + e * 61) % 3600) * 1000,
    apiName: `API ${e % 20}`,
  };
}

function row(d: DataSet, kind: 'key' | 'oauth', subject: string, e: number, bucket: number, c: Counters) {
  return {
    orgId: d.orgId,
    kind,
    subject,
    apiId: apiOf(e),
    path: pathOf(e),
    method: 'GET',
    bucket,
    counters: c,
  };
}

/** One day of traffic as one batch: the busy key and client on every endpoint every hour, plus background keys. */
export function dayBatch(d: DataSet, day: number, tz: TimeZone): AggregateBatch {
  const hours: AggregateRow[] = [];
  for (let h = 0; h < 24; h++) {
    const k = day * 24 + h;
    for (let e = 0; e < d.endpoints; e++) {
      const c = countersOf(busyRecord(d, e, k, 0));
      for (let r = 1; r < d.perHour; r++) addSample(c, busyRecord(d, e, k, r));
      hours.push(row(d, 'key', BUSY_KEY, e, d.startMs + k * HOUR, c));
      hours.push(row(d, 'oauth', BUSY_CLIENT, e, d.startMs + k * HOUR, cloneCounters(c)));
    }
  }
  // Each background key is active on about one day in 30, twice that day, on two endpoints.
  for (let i = day % 30; i < d.keys; i += 30) {
    for (const h of [9, 15]) {
      for (const e of [i % d.endpoints, (i * 7 + 3) % d.endpoints]) {
        const s = busyRecord(d, e, day * 24 + h, i);
        hours.push(row(d, 'key', `key-${i}`, e, d.startMs + (day * 24 + h) * HOUR, countersOf(s)));
      }
    }
  }
  return rollUp(dedupe(hours), tz);
}

/** Two background endpoints of one key can coincide; a batch lists each row once. */
function dedupe(rows: AggregateRow[]): AggregateRow[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const id = `${r.kind}|${r.subject}|${r.bucket}|${r.apiId}|${r.path}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export const rowsIn = (b: AggregateBatch): number =>
  b.hours.length + b.days.length + b.weeks.length + b.months.length;

/** Percentile of a sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
