import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateBatch } from '../../src/aggregate/aggregate.ts';
import { metricsOf } from '../../src/aggregate/counters.ts';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import type { AnalyticsRecord } from '../../src/record/record.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { type TestSchema, testSchema } from '../helpers/pg.ts';
import { expectedRow, rec } from '../helpers/records.ts';
import { serviceAvailable, TEST_PG_URL } from '../helpers/services.ts';

const pgUp = await serviceAvailable('PostgreSQL', TEST_PG_URL);
const UTC = new TimeZone('UTC');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PATHS = Array.from({ length: 10 }, (_, i) => `/p${i}`);

/** A batch of 240 records over 10 endpoints and 24 hours: enough rows that commits take a while. */
function records(i: number): AnalyticsRecord[] {
  return Array.from({ length: 240 }, (_, j) =>
    rec({
      path: PATHS[j % PATHS.length] ?? '/p0',
      responseCode: (i + j) % 7 === 0 ? 500 : 200,
      latencyTotal: 1 + ((i * 31 + j * 17) % 700),
      latencyUpstream: (i * 13 + j * 7) % 600,
      requestTime: 1 + ((i + j) % 900),
      timestampMs: Date.UTC(2024, 4, 1) + (j % 24) * 3_600_000 + i,
    }),
  );
}

describe.skipIf(!pgUp)('PostgreSQL: connections dropped mid-batch', () => {
  let schema: TestSchema;
  let store: Store;
  const app = `km-victim-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    schema = testSchema();
    store = await openPostgresStore(schema.url(app), { maxConnections: 4 });
  });
  afterAll(async () => {
    await store.close();
    await schema.drop();
  });

  it('fails the commit, loses nothing and doubles nothing when retried with the same batch id', async () => {
    let done = false;
    let kills = 0;
    const killer = (async () => {
      while (!done) {
        const [row] = await schema.admin<{ n: string }>(
          'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1',
          [app],
        );
        kills += Number(row?.n ?? 0);
        await sleep(120 + (kills % 3) * 40); // some commits get through, some are cut
      }
    })();

    const committed: AnalyticsRecord[] = [];
    let next = 0;
    let failures = 0;
    let duplicates = 0;
    // Keep going until enough batches are in AND the outage really hit commits (bounded).
    const worker = async () => {
      while ((next < 40 || failures < 3) && next < 3000) {
        const i = next++;
        const batch = records(i);
        let attempts = 0;
        for (;;) {
          try {
            const fresh = await store.aggregates.commit(
              aggregateBatch(batch, { tz: UTC, trackAllPaths: true }),
              {
                batchId: `b-${i}`,
              },
            );
            if (!fresh) duplicates++; // the first attempt committed, only its answer was lost
            break;
          } catch (err) {
            failures++;
            if (++attempts > 100) throw err; // bounded: a store that never recovers fails the test

            await sleep(2);
          }
        }
        committed.push(...batch);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    done = true;
    await killer;

    expect(failures).toBeGreaterThanOrEqual(3);
    expect(kills).toBeGreaterThan(0);
    await store.ping(); // the pool replaced its dead connections
    const rows = await store.aggregates.queryEndpoints({
      orgId: 'org-a',
      kind: 'key',
      subject: 'key-1',
      startDay: Date.UTC(2024, 4, 1) / 86_400_000,
      endDay: Date.UTC(2024, 4, 31) / 86_400_000,
    });
    expect(rows).toHaveLength(PATHS.length);
    for (const row of rows) {
      expect(metricsOf(row.counters)).toEqual(expectedRow(committed.filter((r) => r.path === row.path)));
    }
    console.log(
      `${next} batches, ${failures} failed commits retried, ${duplicates} found already committed, ${kills} connections killed`,
    );
  }, 60_000);

  it('ping and start-up reject when the server is unreachable', async () => {
    const u = new URL(TEST_PG_URL);
    u.port = '1';
    await expect(openPostgresStore(u.toString())).rejects.toThrow();
  });
});
