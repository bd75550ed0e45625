import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAvailable, TEST_REDIS_URL } from '../../test/helpers/services.ts';
import { decodeMsgpackRecord } from '../record/msgpack-decoder.ts';
import { takeRecords } from './gateway-traffic.ts';
import { analyticsList, pushGatewayRecords } from './push-gateway.ts';
import { seededRandom } from './random.ts';

const START = Date.UTC(2024, 5, 1, 12, 0, 0);

describe('synthetic gateway traffic', () => {
  it('is deterministic for a seed and decodes back to the generated records', () => {
    const hex = (seed: number) =>
      takeRecords(seed, { startMs: START, intervalMs: 2 }, 500).map((s) => s.bytes.toString('hex'));
    const a = takeRecords(42, { startMs: START, intervalMs: 2 }, 500);
    expect(hex(42)).toEqual(a.map((s) => s.bytes.toString('hex')));
    expect(hex(43)).not.toEqual(hex(42));
    for (const { record, bytes } of a) expect(decodeMsgpackRecord(bytes)).toEqual({ ok: true, record });
    expect(a[0]?.record.timestampMs).toBe(START);
    expect(a[499]?.record.timestampMs).toBe(START + 998);
  });

  it('mixes keys, OAuth clients, APIs, paths and status classes', () => {
    const records = takeRecords(1, { startMs: START, keys: 5, apis: 3 }, 3000).map((s) => s.record);
    expect(new Set(records.map((r) => r.apiId)).size).toBe(3);
    expect(new Set(records.map((r) => r.path)).size).toBeGreaterThan(6);
    expect(records.some((r) => r.apiKey === '00000000')).toBe(true);
    expect(records.filter((r) => r.oauthId !== '').length).toBeGreaterThan(100);
    for (const cls of [2, 3, 4, 5]) {
      expect(records.some((r) => Math.floor(r.responseCode / 100) === cls)).toBe(true);
    }
    expect(records.some((r) => r.responseCode === -1)).toBe(true);
  });
});

const redisUp = await serviceAvailable('Redis', TEST_REDIS_URL);

describe.runIf(redisUp)('pushing to Redis as the gateway does', () => {
  let redis: Redis;
  const prefix = `test-sim-${process.pid}-${Date.now()}-`;
  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('spreads flushes over the _0…_9 lists, with the 60 s TTL, every record intact', async () => {
    const generated = takeRecords(7, { startMs: START }, 1000);
    const counts = await pushGatewayRecords(
      redis,
      prefix,
      generated.map((g) => g.bytes),
      { spread: true, random: seededRandom(3), flushSize: 50 },
    );
    const lists = Object.keys(counts);
    expect(lists.length).toBeGreaterThan(5);
    expect(lists.every((l) => /tyk-system-analytics_\d$/.test(l))).toBe(true);
    const stored: Buffer[] = [];
    for (const list of lists) {
      const items = await redis.lrangeBuffer(list, 0, -1);
      expect(items.length).toBe(counts[list]);
      const ttl = await redis.ttl(list);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60);
      stored.push(...items);
    }
    const sortKey = (b: Buffer) => b.toString('hex');
    expect(stored.map(sortKey).sort()).toEqual(generated.map((g) => sortKey(g.bytes)).sort());
  });

  it('writes one list without --spread and leaves an existing TTL alone', async () => {
    const list = analyticsList(prefix);
    await redis.rpush(list, 'x');
    await redis.expire(list, 300);
    const generated = takeRecords(8, { startMs: START }, 10);
    const counts = await pushGatewayRecords(
      redis,
      prefix,
      generated.map((g) => g.bytes),
    );
    expect(counts).toEqual({ [list]: 10 });
    expect(await redis.ttl(list)).toBeGreaterThan(60);
    const items = await redis.lrangeBuffer(list, 1, -1);
    expect(items.map((b) => decodeMsgpackRecord(b))).toEqual(
      generated.map((g) => ({ ok: true, record: g.record })),
    );
  });
});
