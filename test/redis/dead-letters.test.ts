import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { Packr, unpack } from 'msgpackr';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import { deadLetterRoutes } from '../../src/api/dead-letter-routes.ts';
import { gatewayLists } from '../../src/ingest/redis/keys.ts';
import { createIngestMetrics } from '../../src/ops/metrics.ts';
import { encodeGatewayRecord, gatewayObject } from '../../src/record/gateway-encoder.ts';
import { decodeMsgpackRecord, recordFromGoObject } from '../../src/record/msgpack-decoder.ts';
import { serviceAvailable, TEST_REDIS_URL } from '../helpers/services.ts';
import { sqliteUnderTest } from '../helpers/stores.ts';
import {
  cleanupPrefix,
  connectRedis,
  drained,
  expectExactTotals,
  makeRecords,
  testDrainer,
  uniquePrefix,
  waitFor,
} from './drain-helpers.ts';

const up = await serviceAvailable('Redis', TEST_REDIS_URL);
const packr = new Packr({ useRecords: false });
const SECRET = 'test-admin-secret-0123456789';

async function authorizeAdmin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (req.headers['admin-auth'] !== SECRET) {
    await reply.code(401).send({ Status: 'Error', Message: 'Not authorised', Meta: null });
  }
}

describe.skipIf(!up)('dead letters', () => {
  let redis: Redis;
  const prefix = uniquePrefix();
  beforeAll(() => {
    redis = connectRedis();
  });
  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  it('keeps every bad entry with its reason, never stops the drain, and re-drives one that became valid', async () => {
    const store = await sqliteUnderTest.open();
    const registry = new Registry();
    const metrics = createIngestMetrics(registry);
    const records = makeRecords(1_000, 5);
    const [first, second] = records;
    const [other] = makeRecords(1, 99);
    if (!first || !second || !other) throw new Error('unreachable');
    const noOrg = { ...other, orgId: '', apiKey: 'key-redriven' };
    const garbage: Array<[string, Buffer]> = [
      ['truncated', encodeGatewayRecord(first).subarray(0, 60)],
      ['wrong types', packr.pack({ ...gatewayObject(second), ResponseCode: 'teapot', TimeStamp: 'now' })],
      ['random bytes', randomBytes(400)],
      ['huge string', packr.pack('x'.repeat(2_000_000))],
      ['empty', Buffer.alloc(0)],
      ['huge path', encodeGatewayRecord({ ...first, path: `/${'p'.repeat(100_000)}` })],
      ['no org', encodeGatewayRecord(noOrg)],
    ];
    // Garbage spread among valid records on several lists.
    const lists = gatewayLists(prefix);
    const pipe = redis.pipeline();
    records.forEach((r, i) => {
      pipe.rpush(lists[i % 3] ?? '', encodeGatewayRecord(r));
      const bad = i % 150 === 0 ? garbage[i / 150] : undefined;
      if (bad) pipe.rpush(lists[i % 3] ?? '', bad[1]);
    });
    await pipe.exec();

    const drainer = testDrainer(redis, store, prefix, { batchSize: 200, metrics });
    drainer.start();
    await waitFor(() => drained(redis, prefix));
    await drainer.stop();
    await expectExactTotals(store, records);
    expect(await registry.getSingleMetricAsString('keymeter_records_rejected_total')).toContain(
      `{source="redis"} ${garbage.length}`,
    );

    const app = Fastify();
    const aggregate = { tz: new TimeZone('UTC'), trackAllPaths: true };
    // The "fixed decoder" stands in for a release that accepts what used to be rejected.
    const fixedDecoder = (bytes: Uint8Array) => {
      const result = decodeMsgpackRecord(bytes);
      if (result.ok || !result.reason.includes('OrgID')) return result;
      const value = unpack(bytes) as Record<string, unknown>;
      return recordFromGoObject({ ...value, OrgID: 'org-a' });
    };
    deadLetterRoutes(app, { store, aggregate, authorizeAdmin, metrics, decodeMsgpack: fixedDecoder });
    expect((await app.inject({ url: '/admin/dead-letters' })).statusCode).toBe(401);
    const listed = await app.inject({ url: '/admin/dead-letters', headers: { 'admin-auth': SECRET } });
    const meta = listed.json().Meta as {
      total: number;
      dead_letters: Array<{ id: number; source: string; reason: string; payload_base64: string }>;
    };
    expect(meta.total).toBe(garbage.length);
    for (const [i, dl] of meta.dead_letters.entries()) {
      expect(dl.source).toMatch(new RegExp(`^redis:${prefix}tyk-system-analytics`));
      expect(dl.reason).not.toBe('');
      // Strings, not Buffers: deep-equality on a 2 MB Buffer walks it byte by byte.
      expect(dl.payload_base64 === garbage[i]?.[1].toString('base64')).toBe(true);
    }
    const reasons = meta.dead_letters.map((d) => d.reason);
    expect(reasons[5]).toBe('Path is longer than 1024 characters');
    expect(reasons[6]).toMatch(/OrgID/);

    const redrive = await app.inject({
      method: 'POST',
      url: '/admin/dead-letters/redrive',
      headers: { 'admin-auth': SECRET },
      payload: {},
    });
    const result = redrive.json().Meta as { redriven: number[]; still_failing: unknown[] };
    expect(result.redriven).toHaveLength(1);
    expect(result.still_failing).toHaveLength(garbage.length - 1);
    expect(await store.aggregates.countDeadLetters()).toBe(garbage.length - 1);
    await expectExactTotals(store, [...records, { ...noOrg, orgId: 'org-a' }]);
    // A second re-drive of the same id finds nothing to do: counted once.
    const again = await app.inject({
      method: 'POST',
      url: '/admin/dead-letters/redrive',
      headers: { 'admin-auth': SECRET },
      payload: { ids: result.redriven },
    });
    expect(again.json().Meta.missing).toEqual(result.redriven);
    await app.close();
    await store.close();
  });
});
