import type { AnalyticsRecord } from '../record/record.ts';
import { bucketOf, monthOfDay } from './buckets.ts';
import { type Counters, cloneCounters, countersOf, mergeInto } from './counters.ts';
import type { TimeZone } from './time-zone.ts';

/** Whose traffic a row describes: an API key (hash) or an OAuth client. */
export type SubjectKind = 'key' | 'oauth';

/** Identity of one aggregate row, minus its time bucket. */
export interface RowKey {
  orgId: string;
  kind: SubjectKind;
  subject: string;
  apiId: string;
  path: string;
  method: string;
}

/** One aggregate row: counters for a RowKey within one bucket of a given granularity. */
export interface AggregateRow extends RowKey {
  /** hour rows: UTC ms of bucket start; day rows: local day number; month rows: year*12+month-1. */
  bucket: number;
  counters: Counters;
}

/** What one batch of records adds to each granularity. Every row appears once per list. */
export interface AggregateBatch {
  hours: AggregateRow[];
  days: AggregateRow[];
  months: AggregateRow[];
}

export interface AggregateOptions {
  tz: TimeZone;
  /** Count records whose TrackPath is false (Tyk's track-all-paths). */
  trackAllPaths: boolean;
}

/** Whether a valid record contributes to any row at all (spec §3). */
export function counts(r: AnalyticsRecord, trackAllPaths: boolean): boolean {
  return r.responseCode !== -1 && !r.isGraphQL && !r.isMCP && (r.trackPath || trackAllPaths);
}

const SEP = '\u0000';
const keyOf = (k: RowKey, bucket: number): string =>
  k.orgId + SEP + k.kind + SEP + k.subject + SEP + k.apiId + SEP + k.path + SEP + k.method + SEP + bucket;

/** Accumulates rows of one granularity, merging rows that share key and bucket. */
export class RowAccumulator {
  private readonly rows = new Map<string, AggregateRow>();

  add(key: RowKey, bucket: number, counters: Counters, copy: boolean): void {
    const id = keyOf(key, bucket);
    const existing = this.rows.get(id);
    if (existing) mergeInto(existing.counters, counters);
    else
      this.rows.set(id, {
        orgId: key.orgId,
        kind: key.kind,
        subject: key.subject,
        apiId: key.apiId,
        path: key.path,
        method: key.method,
        bucket,
        counters: copy ? cloneCounters(counters) : counters,
      });
  }

  get size(): number {
    return this.rows.size;
  }

  list(): AggregateRow[] {
    return [...this.rows.values()];
  }
}

/** Aggregates records into hourly rows (pure; the batch carries no time of its own). */
export function aggregateHours(records: Iterable<AnalyticsRecord>, opts: AggregateOptions): AggregateRow[] {
  const acc = new RowAccumulator();
  for (const r of records) addRecord(acc, r, opts);
  return acc.list();
}

/** Adds one record's contribution (key row and/or OAuth row) to an hourly accumulator. */
export function addRecord(acc: RowAccumulator, r: AnalyticsRecord, opts: AggregateOptions): void {
  if (!counts(r, opts.trackAllPaths)) return;
  if (r.apiKey === '' && r.oauthId === '') return;
  const hour = bucketOf(r.timestampMs, opts.tz).hour;
  const c = countersOf(r);
  const base = { orgId: r.orgId, apiId: r.apiId, path: r.path, method: r.method };
  if (r.apiKey !== '') acc.add({ ...base, kind: 'key', subject: r.apiKey }, hour, c, r.oauthId !== '');
  if (r.oauthId !== '') acc.add({ ...base, kind: 'oauth', subject: r.oauthId }, hour, c, false);
}

/**
 * Rolls hourly rows up into the local-day and local-month rows they belong to. Exact because
 * every hourly bucket lies inside one local day (buckets are aligned to the zone's day boundaries).
 */
export function rollUp(hours: AggregateRow[], tz: TimeZone): AggregateBatch {
  const days = new RowAccumulator();
  const months = new RowAccumulator();
  for (const row of hours) {
    const day = bucketOf(row.bucket, tz).day;
    days.add(row, day, row.counters, true);
    months.add(row, monthOfDay(day), row.counters, true);
  }
  return { hours, days: days.list(), months: months.list() };
}

/** Records → the full batch of rows to commit. */
export const aggregateBatch = (records: Iterable<AnalyticsRecord>, opts: AggregateOptions): AggregateBatch =>
  rollUp(aggregateHours(records, opts), opts.tz);
