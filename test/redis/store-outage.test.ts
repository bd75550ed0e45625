import Fastify from 'fastify';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsRoutes } from '../../src/api/ops-routes.ts';
import { gatewayLists } from '../../src/ingest/redis/keys.ts';
import { createIngestMetrics } from '../../src/ops/metrics.ts';
import { drainerCheck, redisCheck, storeCheck } from '../../src/ops/readiness.ts';
import type { Store } from '../../src/store/store.ts';
import { serviceAvailable, TEST_REDIS_URL } from '../helpers/services.ts';
import { sqliteUnderTest } from '../helpers/stores.ts';
import {
  cleanupPrefix,
  connectRedis,
  drained,
  expectExactTotals,
  makeRecords,
  pushRecords,
  testDrainer,
  uniquePrefix,
  waitFor,
} from './drain-helpers.ts';

const up = await serviceAvailable('Redis', TEST_REDIS_URL);

type Mode = 'up' | 'down' | 'ack-lost';

/**
 * A test double for the failure only: the real store underneath, with commits that throw while
 * `mode` is `down`, or that commit and then throw (`ack-lost`: the reply of a successful commit is
 * lost, as when a database connection drops after COMMIT).
 */
function failingStore(inner: Store): Store & { mode: Mode; failures: number } {
  const s = {
    ...inner,
    mode: 'up' as Mode,
    failures: 0,
    aggregates: Object.create(inner.aggregates, {
      commit: {
        value: async (...args: Parameters<Store['aggregates']['commit']>) => {
          if (s.mode === 'down') {
            s.failures++;
            throw new Error('connection refused');
          }
          const result = await inner.aggregates.commit(...args);
          if (s.mode === 'ack-lost') {
            s.failures++;
            throw new Error('connection reset after COMMIT');
          }
          return result;
        },
      },
    }),
    async ping() {
      if (s.mode === 'down') throw new Error('connection refused');
      await inner.ping();
    },
  };
  return s;
}

describe.skipIf(!up)('store outage', () => {
  let redis: Redis;
  const prefix = uniquePrefix();
  beforeAll(() => {
    redis = connectRedis();
  });
  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  it('stops claiming, reports not ready, then recovers with exact totals', async () => {
    const inner = await sqliteUnderTest.open();
    const store = failingStore(inner);
    const registry = new Registry();
    const metrics = createIngestMetrics(registry);
    // Pages of 200 in group commits of up to 3, claims of at most 2 pages.
    const drainer = testDrainer(redis, store, prefix, {
      batchSize: 200,
      claimPages: 2,
      groupRecords: 600,
      metrics,
    });
    const app = Fastify();
    opsRoutes(app, {
      registry,
      readiness: [storeCheck(store), redisCheck(redis), drainerCheck(drainer)],
    });
    const readyz = async () => (await app.inject({ url: '/readyz' })).statusCode;
    const records = makeRecords(6_000, 3);
    drainer.start();
    await pushRecords(redis, prefix, records.slice(0, 2_000));
    await waitFor(() => drained(redis, prefix));
    expect(await readyz()).toBe(200);

    store.mode = 'down';
    await pushRecords(redis, prefix, records.slice(2_000, 5_000));
    await waitFor(() => store.failures >= 4);
    expect(await readyz()).toBe(503);
    // Backpressure: only the claims of the group in hand (3 pages) and of one prefetched page left
    // the lists — at most 3 claims of 400 — and no more leave while the store stays down.
    const waitingNow = async () =>
      (await Promise.all(gatewayLists(prefix).map((l) => redis.llen(l)))).reduce((a, b) => a + b);
    const waiting = await waitingNow();
    expect(waiting).toBeGreaterThanOrEqual(3_000 - 3 * 400);
    expect(await redis.hlen(`keymeter:${prefix}:inflight`)).toBeLessThanOrEqual(3);
    await waitFor(() => store.failures >= 6);
    expect(await waitingNow()).toBe(waiting);

    // Commits that land but whose acknowledgement is lost are retried and skipped as duplicates.
    store.mode = 'ack-lost';
    const before = store.failures;
    await waitFor(() => store.failures >= before + 2);
    store.mode = 'up';
    await pushRecords(redis, prefix, records.slice(5_000));
    await waitFor(() => drained(redis, prefix));
    expect(await readyz()).toBe(200);
    await drainer.stop();
    await expectExactTotals(store, records);
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/keymeter_commit_failures_total \d+/);
    expect(text).toMatch(/keymeter_batches_total\{outcome="duplicate"\} [1-9]/);
    expect(text).toContain('keymeter_records_accepted_total{source="redis"} 6000');
    await app.close();
    await inner.close();
  });
});
