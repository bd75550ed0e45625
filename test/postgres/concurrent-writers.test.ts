import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateBatch } from '../../src/aggregate/aggregate.ts';
import { metricsOf } from '../../src/aggregate/counters.ts';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import type { AnalyticsRecord } from '../../src/record/record.ts';
import type { Store } from '../../src/store/store.ts';
import { type TestSchema, testSchema } from '../helpers/pg.ts';
import { expectedRow, rec } from '../helpers/records.ts';
import { serviceAvailable, TEST_PG_URL } from '../helpers/services.ts';

const pgUp = await serviceAvailable('PostgreSQL', TEST_PG_URL);
const UTC = new TimeZone('UTC');
const DAY = 86_400_000;
const KEYS = ['k1', 'k2', 'k3'];
const PATHS = ['/a', '/b', '/c', '/d', '/e'];
const START = Date.UTC(2024, 0, 31, 20); // batches straddle a day, a month and a partition boundary

/** Deterministic pseudo-random records, all on the same keys, endpoints and hours. */
function batchRecords(seed: number, n: number): AnalyticsRecord[] {
  let s = seed;
  const next = (m: number): number => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s % m;
  };
  return Array.from({ length: n }, () =>
    rec({
      apiKey: KEYS[next(KEYS.length)] ?? 'k1',
      oauthId: next(2) === 0 ? 'client-1' : '',
      path: PATHS[next(PATHS.length)] ?? '/a',
      method: next(3) === 0 ? 'POST' : 'GET',
      responseCode: [200, 201, 302, 404, 500][next(5)] ?? 200,
      latencyTotal: 1 + next(900),
      latencyUpstream: next(800),
      requestTime: 1 + next(950),
      timestampMs: START + next(8 * 3_600_000),
    }),
  );
}

describe.skipIf(!pgUp)('PostgreSQL: concurrent writers', () => {
  let schema: TestSchema;
  let stores: Store[] = [];
  beforeAll(async () => {
    schema = testSchema();
    // Four instances starting at the same moment also race their migrations.
    stores = await Promise.all([1, 2, 3, 4].map(() => schema.open({ maxConnections: 3 })));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await schema.drop();
  });

  it('commits overlapping rows from four instances without deadlock, with exact totals', async () => {
    const all: AnalyticsRecord[] = [];
    const writer = async (store: Store, w: number, lane: number) => {
      for (let b = 0; b < 8; b++) {
        const records = batchRecords(w * 1000 + lane * 100 + b + 1, 150);
        all.push(...records);
        const ok = await store.aggregates.commit(aggregateBatch(records, { tz: UTC, trackAllPaths: true }), {
          batchId: `w${w}-l${lane}-b${b}`,
        });
        expect(ok).toBe(true);
      }
    };
    // Two transactions in flight per instance: eight concurrent writers on the same rows.
    await Promise.all(stores.flatMap((s, w) => [writer(s, w, 0), writer(s, w, 1)]));

    const reader = stores[0] as Store;
    for (const [kind, subject] of [...KEYS.map((k) => ['key', k] as const), ['oauth', 'client-1'] as const]) {
      const mine = all.filter((r) => (kind === 'key' ? r.apiKey : r.oauthId) === subject);
      for (const [startDay, endDay] of [
        [Date.UTC(2024, 0, 1) / DAY, Date.UTC(2024, 1, 29) / DAY], // whole months: agg_month
        [Date.UTC(2024, 0, 31) / DAY, Date.UTC(2024, 1, 1) / DAY], // days: agg_day
      ] as const) {
        const rows = await reader.aggregates.queryEndpoints({
          orgId: 'org-a',
          kind,
          subject,
          startDay,
          endDay,
        });
        expect(rows).toHaveLength(PATHS.length);
        for (const row of rows) {
          const got = metricsOf(row.counters);
          expect(got).toEqual(expectedRow(mine.filter((r) => r.path === row.path)));
        }
      }
    }
  });
});
