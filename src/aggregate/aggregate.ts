import type { AnalyticsRecord } from '../record/record.ts';
import { bucketOf, hourBucketOf } from './buckets.ts';
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
  weeks: AggregateRow[];
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

type ByBucket = Map<number, AggregateRow>;
type ByMethod = Map<string, ByBucket>;
type ByPath = Map<string, ByMethod>;
type ByApi = Map<string, ByPath>;
type ByOrg = Map<string, ByApi>;
type BySubject = Map<string, ByOrg>;

const newMap = <K, V>(): Map<K, V> => new Map<K, V>();

function child<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

/**
 * Accumulates rows of one granularity, merging rows that share key and bucket. Rows are found
 * through nested maps keyed by the strings themselves rather than one concatenated key: no
 * string is built per record, and repeated (interned) strings hash once.
 */
export class RowAccumulator {
  private readonly keys: BySubject = new Map();
  private readonly clients: BySubject = new Map();
  private readonly rows: AggregateRow[] = [];

  private slot(kind: SubjectKind, subject: string, r: Omit<RowKey, 'kind' | 'subject'>): ByBucket {
    const bySubject = kind === 'key' ? this.keys : this.clients;
    const byApi = child(child(bySubject, subject, newMap<string, ByApi>), r.orgId, newMap<string, ByPath>);
    return child(
      child(child(byApi, r.apiId, newMap<string, ByMethod>), r.path, newMap<string, ByBucket>),
      r.method,
      newMap<number, AggregateRow>,
    );
  }

  /** Merges a copy of `row`'s counters into the row with the same key in `bucket`. */
  add(row: AggregateRow, bucket: number): void {
    const rows = this.slot(row.kind, row.subject, row);
    const existing = rows.get(bucket);
    if (existing) mergeInto(existing.counters, row.counters);
    else this.insert(rows, newRow(row, row.kind, row.subject, bucket, cloneCounters(row.counters)));
  }

  /** Adds one record to its (kind, subject) row in `bucket`; allocates only for a new row. */
  addRecord(r: AnalyticsRecord, kind: SubjectKind, subject: string, bucket: number): void {
    const rows = this.slot(kind, subject, r);
    const existing = rows.get(bucket);
    if (existing) addSample(existing.counters, r);
    else this.insert(rows, newRow(r, kind, subject, bucket, countersOf(r)));
  }

  private insert(rows: ByBucket, row: AggregateRow): void {
    rows.set(row.bucket, row);
    this.rows.push(row);
  }

  get size(): number {
    return this.rows.length;
  }

  list(): AggregateRow[] {
    return this.rows;
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

/** One fixed object shape for every row (no spread: it is a slow path in V8's hot loops). */
const newRow = (
  r: Omit<RowKey, 'kind' | 'subject'>,
  kind: SubjectKind,
  subject: string,
  bucket: number,
  counters: Counters,
): AggregateRow => ({
  orgId: r.orgId,
  kind,
  subject,
  apiId: r.apiId,
  path: r.path,
  method: r.method,
  bucket,
  counters,
});

/**
 * Rolls hourly rows up into the local-day, local-week and local-month rows they belong to. Exact because
 * every hourly bucket lies inside one local day (buckets are aligned to the zone's day boundaries).
 */
export function rollUp(hours: AggregateRow[], tz: TimeZone): AggregateBatch {
  const days = new RowAccumulator();
  const weeks = new RowAccumulator();
  const months = new RowAccumulator();
  for (const row of hours) {
    const { day, week, month } = bucketOf(row.bucket, tz);
    days.add(row, day);
    weeks.add(row, week);
    months.add(row, month);
  }
  return { hours, days: days.list(), weeks: weeks.list(), months: months.list() };
}

/** Records → the full batch of rows to commit. */
export const aggregateBatch = (records: Iterable<AnalyticsRecord>, opts: AggregateOptions): AggregateBatch =>
  rollUp(aggregateHours(records, opts), opts.tz);
