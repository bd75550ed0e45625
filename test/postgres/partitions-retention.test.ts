import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateBatch } from '../../src/aggregate/aggregate.ts';
import { bucketOf } from '../../src/aggregate/buckets.ts';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import type { AnalyticsRecord } from '../../src/record/record.ts';
import type { EndpointQuery, Store } from '../../src/store/store.ts';
import { type TestSchema, testSchema } from '../helpers/pg.ts';
import { rec } from '../helpers/records.ts';
import { serviceAvailable, TEST_PG_URL } from '../helpers/services.ts';

const pgUp = await serviceAvailable('PostgreSQL', TEST_PG_URL);
const UTC = new TimeZone('UTC');
const NOW = Date.UTC(2024, 5, 15, 12);
const day = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 86_400_000;
const batchOf = (records: AnalyticsRecord[]) => aggregateBatch(records, { tz: UTC, trackAllPaths: true });

describe.skipIf(!pgUp)('PostgreSQL: time partitions and retention', () => {
  let schema: TestSchema;
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    schema = testSchema();
    [a, b] = (await Promise.all([1, 2].map(() => schema.open({ now: () => NOW })))) as [Store, Store];
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await schema.drop();
  });

  const partitions = async (table: string): Promise<string[]> =>
    (
      await schema.admin<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = $1::regclass ORDER BY 1`,
        [`"${schema.name}".${table}`],
      )
    ).map((r) => r.name);
  const hits = async (store: Store, startDay: number, endDay: number): Promise<number> => {
    const q: EndpointQuery = { orgId: 'org-a', kind: 'key', subject: 'key-1', startDay, endDay };
    return (await store.aggregates.queryEndpoints(q)).reduce((s, r) => s + r.counters.hits, 0);
  };

  it('creates partitions ahead at start-up and on demand for back-fills, racing instances included', async () => {
    expect(await partitions('agg_hour')).toEqual([
      'agg_hour_p202406',
      'agg_hour_p202407',
      'agg_hour_p202408',
    ]);
    expect(await partitions('agg_day')).toEqual(['agg_day_p2024', 'agg_day_p2025']);
    const old = [
      rec({ timestampMs: Date.UTC(2022, 2, 10, 8) }),
      rec({ timestampMs: Date.UTC(2023, 11, 31, 6) }),
      rec({ timestampMs: Date.UTC(2023, 11, 31, 23, 30) }),
    ];
    // Both instances need the same missing partitions at the same moment.
    await Promise.all([a.aggregates.commit(batchOf(old)), b.aggregates.commit(batchOf(old))]);
    expect(await partitions('agg_hour')).toEqual([
      'agg_hour_p202203',
      'agg_hour_p202312',
      'agg_hour_p202406',
      'agg_hour_p202407',
      'agg_hour_p202408',
    ]);
    expect(await partitions('agg_day')).toEqual([
      'agg_day_p2022',
      'agg_day_p2023',
      'agg_day_p2024',
      'agg_day_p2025',
    ]);
    expect(await hits(a, day(2022, 1, 1), day(2023, 12, 31))).toBe(6);
  });

  it('drops whole expired partitions, deletes the rest below the cut-off, forgets old batch ids', async () => {
    await a.aggregates.commit(batchOf([rec({ timestampMs: Date.UTC(2024, 5, 1) })]), { batchId: 'recent' });
    const cut = bucketOf(Date.UTC(2023, 11, 31, 12), UTC);
    // Every instance runs retention on its own timer: two at once must both succeed.
    await Promise.all([a.aggregates.applyRetention(cut, NOW - 1), b.aggregates.applyRetention(cut, NOW - 1)]);
    expect(await partitions('agg_hour')).not.toContain('agg_hour_p202203');
    expect(await partitions('agg_hour')).toContain('agg_hour_p202312'); // straddles the cut-off
    expect(await partitions('agg_day')).not.toContain('agg_day_p2022');
    expect(await hits(a, day(2022, 1, 1), day(2023, 12, 30))).toBe(0);
    expect(await hits(a, day(2023, 12, 31), day(2023, 12, 31))).toBe(4); // the day row is not expired
    expect(await a.aggregates.isCommitted('recent')).toBe(true);
    await a.aggregates.applyRetention(cut, NOW + 1);
    expect(await a.aggregates.isCommitted('recent')).toBe(false);
    const [hourRows] = await schema.admin<{ n: string }>(
      `SELECT count(*) AS n FROM "${schema.name}".agg_hour WHERE bucket < $1`,
      [cut.hour],
    );
    expect(Number(hourRows?.n)).toBe(0);
  });

  it('re-creates a partition another instance dropped while this one still believed in it', async () => {
    // b created agg_hour_p202203 earlier and remembers it; a's retention dropped it since.
    await b.aggregates.commit(batchOf([rec({ timestampMs: Date.UTC(2022, 2, 11) })]));
    expect(await partitions('agg_hour')).toContain('agg_hour_p202203');
    expect(await hits(b, day(2022, 3, 1), day(2022, 3, 31))).toBe(1);
  });
});
