import type { AnalyticsRecord } from '../record/record.ts';
import { type BucketOf, bucketOf, HourBuckets } from './buckets.ts';
import type { Counters } from './counters.ts';
import { RowTable, StringIds } from './row-table.ts';
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

const KEY = 0;
const OAUTH = 1;

/**
 * Aggregates one batch of records into hourly rows and their day, week and month roll-ups. Rows live
 * in typed-array tables keyed by interned ids (see RowTable): adding a record allocates nothing
 * and never builds a string. Records are not retained, so a caller may reuse one record object.
 */
export class BatchAggregator {
  private readonly names = new StringIds();
  private readonly hours: RowTable;
  private readonly hourOf: HourBuckets;

  /** `expectedRows`: initial size of the hour table (it grows as needed; a good guess saves rehashing). */
  constructor(
    private readonly opts: AggregateOptions,
    expectedRows = 256,
  ) {
    this.hours = new RowTable(this.names, expectedRows);
    this.hourOf = new HourBuckets(opts.tz);
  }

  /** Adds one valid record's contribution (its key row and/or OAuth client row). */
  add(r: AnalyticsRecord): void {
    if (!counts(r, this.opts.trackAllPaths)) return;
    if (r.apiKey === '' && r.oauthId === '') return;
    const names = this.names;
    const hour = this.hourOf.of(r.timestampMs);
    const org = names.id(r.orgId);
    const api = names.id(r.apiId);
    const path = names.id(r.path);
    const method = names.id(r.method);
    const apiName = names.id(r.apiName);
    const hours = this.hours;
    if (r.apiKey !== '')
      hours.addSample(hours.find(KEY, names.id(r.apiKey), org, api, path, method, hour), r, apiName);
    if (r.oauthId !== '') {
      hours.addSample(hours.find(OAUTH, names.id(r.oauthId), org, api, path, method, hour), r, apiName);
    }
  }

  /** Adds an hourly row built elsewhere (merged with any row of the same key and hour). */
  addHourRow(row: AggregateRow): void {
    const n = this.names;
    const kind = row.kind === 'key' ? KEY : OAUTH;
    const at = this.hours.find(
      kind,
      n.id(row.subject),
      n.id(row.orgId),
      n.id(row.apiId),
      n.id(row.path),
      n.id(row.method),
      row.bucket,
    );
    this.hours.addCounters(at, row.counters);
  }

  /** Number of distinct hourly rows so far. */
  get hourRowCount(): number {
    return this.hours.size;
  }

  /** The hourly rows so far. */
  hourRows(): AggregateRow[] {
    return this.hours.toRows();
  }

  /**
   * The batch to commit: hourly rows plus the local-day, local-week and local-month rows they
   * roll up into. Exact because every hourly bucket lies inside one local day (buckets are
   * aligned to the zone's day boundaries).
   */
  finish(): AggregateBatch {
    const hours = this.hours;
    const levels = [
      { unit: 'day', table: new RowTable(this.names, hours.size) },
      { unit: 'week', table: new RowTable(this.names, hours.size >> 1) },
      { unit: 'month', table: new RowTable(this.names, hours.size >> 2) },
    ] as const;
    const seen = new Map<number, BucketOf>();
    for (let row = 0; row < hours.size; row++) {
      const [kind, subject, org, api, path, method, hour] = hours.keyOf(row);
      let at = seen.get(hour);
      if (at === undefined) {
        at = bucketOf(hour, this.opts.tz);
        seen.set(hour, at);
      }
      for (const { unit, table } of levels) {
        table.mergeRow(table.find(kind, subject, org, api, path, method, at[unit]), hours, row);
      }
    }
    const [days, weeks, months] = levels.map((l) => l.table.toRows()) as [
      AggregateRow[],
      AggregateRow[],
      AggregateRow[],
    ];
    return { hours: hours.toRows(), days, weeks, months };
  }
}

/** Aggregates records into hourly rows (pure; the batch carries no time of its own). */
export function aggregateHours(records: Iterable<AnalyticsRecord>, opts: AggregateOptions): AggregateRow[] {
  const acc = new BatchAggregator(opts);
  for (const r of records) acc.add(r);
  return acc.hourRows();
}

/** Rolls hourly rows (one per key and hour) up into the day, week and month rows they belong to. */
export function rollUp(hours: AggregateRow[], tz: TimeZone): AggregateBatch {
  const acc = new BatchAggregator({ tz, trackAllPaths: true });
  for (const row of hours) acc.addHourRow(row);
  return acc.finish();
}

/** Records → the full batch of rows to commit. */
export function aggregateBatch(records: Iterable<AnalyticsRecord>, opts: AggregateOptions): AggregateBatch {
  const acc = new BatchAggregator(opts);
  for (const r of records) acc.add(r);
  return acc.finish();
}
