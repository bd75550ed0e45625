import type { AnalyticsRecord } from '../record/record.ts';
import { bucketOf, hourBucketOf, monthOfDay } from './buckets.ts';
import { addSample, type Counters, cloneCounters, countersOf, mergeInto } from './counters.ts';
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
const keyOf = (
  orgId: string,
  kind: SubjectKind,
  subject: string,
  r: Omit<RowKey, 'kind' | 'subject' | 'orgId'>,
  bucket: number,
): string =>
  orgId + SEP + kind + SEP + subject + SEP + r.apiId + SEP + r.path + SEP + r.method + SEP + bucket;

/** Accumulates rows of one granularity, merging rows that share key and bucket. */
export class RowAccumulator {
  private readonly rows = new Map<string, AggregateRow>();

  /** Merges a copy of `row`'s counters into the row with the same key in `bucket`. */
  add(row: AggregateRow, bucket: number): void {
    const id = keyOf(row.orgId, row.kind, row.subject, row, bucket);
    const existing = this.rows.get(id);
    if (existing) mergeInto(existing.counters, row.counters);
    else
      this.rows.set(id, {
        ...rowKey(row, row.kind, row.subject),
        bucket,
        counters: cloneCounters(row.counters),
      });
  }

  /** Adds one record to its (kind, subject) row in `bucket`; allocates only for a new row. */
  addRecord(r: AnalyticsRecord, kind: SubjectKind, subject: string, bucket: number): void {
    const id = keyOf(r.orgId, kind, subject, r, bucket);
    const existing = this.rows.get(id);
    if (existing) addSample(existing.counters, r);
    else this.rows.set(id, { ...rowKey(r, kind, subject), bucket, counters: countersOf(r) });
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
  const hour = hourBucketOf(r.timestampMs, opts.tz);
  if (r.apiKey !== '') acc.addRecord(r, 'key', r.apiKey, hour);
  if (r.oauthId !== '') acc.addRecord(r, 'oauth', r.oauthId, hour);
}

const rowKey = (r: Omit<RowKey, 'kind' | 'subject'>, kind: SubjectKind, subject: string): RowKey => ({
  orgId: r.orgId,
  kind,
  subject,
  apiId: r.apiId,
  path: r.path,
  method: r.method,
});

/**
 * Rolls hourly rows up into the local-day and local-month rows they belong to. Exact because
 * every hourly bucket lies inside one local day (buckets are aligned to the zone's day boundaries).
 */
export function rollUp(hours: AggregateRow[], tz: TimeZone): AggregateBatch {
  const days = new RowAccumulator();
  const months = new RowAccumulator();
  for (const row of hours) {
    const day = bucketOf(row.bucket, tz).day;
    days.add(row, day);
    months.add(row, monthOfDay(day));
  }
  return { hours, days: days.list(), months: months.list() };
}

/** Records → the full batch of rows to commit. */
export const aggregateBatch = (records: Iterable<AnalyticsRecord>, opts: AggregateOptions): AggregateBatch =>
  rollUp(aggregateHours(records, opts), opts.tz);
