import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { expect } from 'vitest';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import { type DrainerOptions, RedisDrainer } from '../../src/ingest/redis/drainer.ts';
import { gatewayLists } from '../../src/ingest/redis/keys.ts';
import { createIngestMetrics } from '../../src/ops/metrics.ts';
import { encodeGatewayRecord } from '../../src/record/gateway-encoder.ts';
import type { AnalyticsRecord } from '../../src/record/record.ts';
import type { Store } from '../../src/store/store.ts';
import { expectedRow, rec } from '../helpers/records.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

/** A key prefix no other test (or process) uses. */
export const uniquePrefix = (): string => `kmtest-${randomBytes(5).toString('hex')}-`;

export const connectRedis = (): Redis => new Redis(TEST_REDIS_URL, { lazyConnect: false });

/** Deletes every key of a test prefix: the gateway lists and keymeter's own keys. */
export async function cleanupPrefix(redis: Redis, prefix: string): Promise<void> {
  for (const pattern of [`${prefix}*`, `keymeter:${prefix}:*`]) {
    const keys = await redis.keys(pattern);
    if (keys.length > 0) await redis.del(...keys);
  }
}

const DAY = Date.UTC(2024, 2, 10);

/** Deterministic, varied records (seeded) over one UTC day: keys, APIs, paths, codes, latencies. */
export function makeRecords(n: number, seed = 1): AnalyticsRecord[] {
  let s = seed;
  const rnd = (m: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s % m;
  };
  const codes = [200, 201, 204, 301, 404, 500, 503];
  return Array.from({ length: n }, () => {
    const latencyTotal = 5 + rnd(900);
    return rec({
      apiKey: `key-${rnd(4)}`,
      apiId: `api-${rnd(2)}`,
      path: `/p${rnd(3)}`,
      responseCode: codes[rnd(codes.length)] ?? 200,
      requestTime: latencyTotal,
      latencyTotal,
      latencyUpstream: Math.max(0, latencyTotal - rnd(20)),
      timestampMs: DAY + rnd(86_400_000),
    });
  });
}

/** Hits committed for records of makeRecords (its four keys, its one day). */
export async function totalHits(store: Store): Promise<number> {
  const day = Math.floor(DAY / 86_400_000);
  let sum = 0;
  for (let k = 0; k < 4; k++) {
    const query = { orgId: null, kind: 'key' as const, subject: `key-${k}`, startDay: day, endDay: day };
    for (const row of await store.aggregates.queryEndpoints(query)) sum += row.counters.hits;
  }
  return sum;
}

/** RPUSHes encoded records spread over the gateway lists, pipelined, as gateways do. */
export async function pushRecords(redis: Redis, prefix: string, records: AnalyticsRecord[]): Promise<void> {
  const lists = gatewayLists(prefix);
  const pipe = redis.pipeline();
  records.forEach((r, i) => {
    pipe.rpush(lists[i % lists.length] ?? '', encodeGatewayRecord(r));
  });
  await pipe.exec();
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether every gateway list and keymeter's in-flight index are empty. */
export async function drained(redis: Redis, prefix: string): Promise<boolean> {
  const lens = await Promise.all(gatewayLists(prefix).map((l) => redis.llen(l)));
  const inflight = await redis.hlen(`keymeter:${prefix}:inflight`);
  return lens.every((n) => n === 0) && inflight === 0;
}

/** Compares the store's per-endpoint totals of every key with a naive calculation from the records. */
export async function expectExactTotals(store: Store, records: AnalyticsRecord[]): Promise<void> {
  const day = Math.floor(DAY / 86_400_000);
  const byKey = new Map<string, AnalyticsRecord[]>();
  for (const r of records) byKey.set(r.apiKey, [...(byKey.get(r.apiKey) ?? []), r]);
  for (const [key, rs] of byKey) {
    const rows = await store.aggregates.queryEndpoints({
      orgId: null,
      kind: 'key',
      subject: key,
      startDay: day,
      endDay: day,
    });
    const groups = new Map<string, AnalyticsRecord[]>();
    for (const r of rs)
      groups.set(`${r.apiId} ${r.path}`, [...(groups.get(`${r.apiId} ${r.path}`) ?? []), r]);
    expect(rows.map((r) => `${r.apiId} ${r.path}`).sort()).toEqual([...groups.keys()].sort());
    for (const row of rows) {
      const group = groups.get(`${row.apiId} ${row.path}`) ?? [];
      const want = expectedRow(group);
      const c = row.counters;
      expect({
        hits: c.hits,
        success: c.success,
        error: c.error,
        lastHitMs: c.lastHitMs,
        sumLatency: c.sumLatency,
        sumUpstream: c.sumUpstream,
        sumRequestTime: c.sumRequestTime,
        minLatency: c.minLatencyOk ?? c.minLatencyAll,
        minUpstream: c.minUpstreamOk ?? c.minUpstreamAll,
        maxLatency: c.maxLatency,
        maxUpstream: c.maxUpstream,
      }).toEqual({
        hits: want.hits,
        success: want.success,
        error: want.error,
        lastHitMs: want.lastHitMs,
        sumLatency: group.reduce((s, r) => s + r.latencyTotal, 0),
        sumUpstream: group.reduce((s, r) => s + r.latencyUpstream, 0),
        sumRequestTime: group.reduce((s, r) => s + r.requestTime, 0),
        minLatency: want.minLatency,
        minUpstream: want.minUpstreamLatency,
        maxLatency: want.maxLatency,
        maxUpstream: want.maxUpstreamLatency,
      });
    }
  }
}

/** A drainer with test-friendly timings on its own metrics registry. */
export function testDrainer(
  redis: Redis,
  store: Store,
  prefix: string,
  overrides: Partial<DrainerOptions> = {},
): RedisDrainer {
  return new RedisDrainer({
    redis,
    store,
    prefix,
    aggregate: { tz: new TimeZone('UTC'), trackAllPaths: true },
    metrics: createIngestMetrics(new Registry()),
    batchSize: 500,
    leaseMs: 1_000,
    idleMs: 20,
    maxBackoffMs: 200,
    ...overrides,
  });
}
