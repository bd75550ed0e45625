import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import { prepareResults } from '../../src/ingest/prepare-batch.ts';
import { BatchSource } from '../../src/ingest/redis/batch-source.ts';
import {
  type Claim,
  drainKeys,
  formatIndexValue,
  gatewayLists,
  pageId,
  parseIndexValue,
} from '../../src/ingest/redis/keys.ts';
import { encodeGatewayRecord } from '../../src/record/gateway-encoder.ts';
import { decodeMsgpackRecord } from '../../src/record/msgpack-decoder.ts';
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

describe.skipIf(!up)('Redis drainer', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const prefix = () => {
    const p = uniquePrefix();
    prefixes.push(p);
    return p;
  };
  beforeAll(() => {
    redis = connectRedis();
  });
  afterAll(async () => {
    for (const p of prefixes) await cleanupPrefix(redis, p);
    redis.disconnect();
  });

  it('drains every list and counts each record once', async () => {
    const p = prefix();
    const store = await sqliteUnderTest.open();
    const records = makeRecords(3_000);
    await pushRecords(redis, p, records);
    const drainer = testDrainer(redis, store, p);
    drainer.start();
    await waitFor(() => drained(redis, p));
    await drainer.stop();
    await expectExactTotals(store, records);
    await store.close();
  });

  it('commits a backlog in groups of pages, every page id recorded with its group', async () => {
    const p = prefix();
    const store = await sqliteUnderTest.open();
    const commits: number[] = [];
    const commit = store.aggregates.commit.bind(store.aggregates);
    store.aggregates.commit = (batch, o) => {
      commits.push(o?.batchIds?.length ?? 0);
      return commit(batch, o);
    };
    const records = makeRecords(6_000, 5);
    await pushRecords(redis, p, records);
    const drainer = testDrainer(redis, store, p, { batchSize: 300, groupRecords: 1_500, groupMs: 60_000 });
    drainer.start();
    await waitFor(() => drained(redis, p));
    await drainer.stop();
    await expectExactTotals(store, records);
    // 6,000 records over 11 lists of ~545, each claimed whole and read in pages of 300 and ~245:
    // at least 20 pages, in groups that close once they hold 1,500 records (at most 6 pages).
    const pages = commits.reduce((a, b) => a + b, 0);
    expect(pages).toBeGreaterThanOrEqual(20);
    expect(Math.max(...commits)).toBeGreaterThan(1);
    expect(Math.max(...commits)).toBeLessThanOrEqual(6);
    expect(commits.length).toBeLessThan(pages);
    await store.close();
  });

  it('claims whole lists into keys of its own and reads them in pages; a too-long list gives its head and gets its TTL re-armed', async () => {
    const p = prefix();
    const [base = '', shard0 = ''] = gatewayLists(p);
    const first = makeRecords(1_100, 31).map((r) => encodeGatewayRecord(r));
    const second = makeRecords(2_500, 32).map((r) => encodeGatewayRecord(r));
    await redis.rpush(base, ...first);
    await redis.rpush(shard0, ...second);
    await redis.pexpire(base, 5_000); // as a gateway would have set them (shortened)
    await redis.pexpire(shard0, 5_000);
    const source = new BatchSource(redis, drainKeys(p), 60);
    // Pages of 1,000, claims of at most 2,000. The first claim starts at _0: 2,500 is too long,
    // so its first 2,000 move and the list keeps the rest, with the TTL re-armed.
    const b1 = await source.claim('b1', 'me', 1_000, 2_000);
    expect(b1).toMatchObject({ layout: [{ list: 1, count: 2_000 }], pages: 2, done: 0 });
    const pages = [await source.readPage(b1 as Claim, 0), await source.readPage(b1 as Claim, 1)];
    expect(pages.map((pg) => pg.batchId)).toEqual(['b1/0', 'b1/1']);
    const read = pages.flatMap((pg) => pg.entries);
    expect(read).toHaveLength(2_000);
    expect(Buffer.concat(read).equals(Buffer.concat(second.slice(0, 2_000)))).toBe(true);
    expect(await redis.llen(shard0)).toBe(500);
    expect(await redis.pttl(shard0)).toBeGreaterThan(55_000);
    // The claim lives under keymeter's own names, without a TTL.
    const own = await redis.keys(`keymeter:${p}:*`);
    expect(own.sort()).toEqual([`keymeter:${p}:inflight`, `keymeter:${p}:inflight:b1:1`]);
    expect(await redis.pttl(`keymeter:${p}:inflight:b1:1`)).toBe(-1);
    // A resent claim (lost reply) returns the same claim and takes nothing more.
    expect(await source.claim('b1', 'me', 1_000, 2_000)).toEqual(b1);
    expect(await redis.llen(shard0)).toBe(500);
    // The base list fits whole: it is renamed (no copy), and must not keep the gateway TTL.
    const b2 = await source.claim('b2', 'me', 1_000, 2_000);
    expect(b2).toMatchObject({ layout: [{ list: 0, count: 1_100 }], pages: 2 });
    expect(await redis.exists(base)).toBe(0);
    expect(await redis.pttl(`keymeter:${p}:inflight:b2:0`)).toBe(-1);
    const tail = (await source.readPage(b2 as Claim, 1)).entries;
    expect(Buffer.concat(tail).equals(Buffer.concat(first.slice(1_000)))).toBe(true);
    // Progress is recorded page by page; the last page forgets the claim.
    await source.finish(b1 as Claim, 0);
    expect((await source.inflight()).find((c) => c.claim.batchId === 'b1')?.claim.done).toBe(1);
    await source.finish(b1 as Claim, 1);
    expect(await redis.hkeys(`keymeter:${p}:inflight`)).toEqual(['b2']);
    expect(await redis.exists(`keymeter:${p}:inflight:b1:1`)).toBe(0);
  });

  it('reads an in-flight entry written before paged claims as one page under the claim id', () => {
    const claim = parseIndexValue('pod-0.x.7', 'pod-0|3:400,0:100');
    expect(claim).toMatchObject({ owner: 'pod-0', pages: 1, pageSize: 500, done: 0, legacy: true });
    expect(pageId(claim as Claim, 0)).toBe('pod-0.x.7');
    expect(formatIndexValue({ ...(claim as Claim), owner: 'pod-1' })).toBe('pod-1|3:400,0:100');
    expect(parseIndexValue('c', 'pod-0|500|2|3:1200')).toMatchObject({ pages: 3, done: 2, legacy: false });
    for (const bad of ['', 'x', 'pod|a:1', 'pod|0|0|1:1', '|500|0|1:1', 'p|1|x|1:1']) {
      expect(parseIndexValue('c', bad)).toBeUndefined();
    }
  });

  it('a restart under the same instance id adopts its in-flight batch without waiting for the lease', async () => {
    const p = prefix();
    const store = await sqliteUnderTest.open();
    const records = makeRecords(800, 21);
    await pushRecords(redis, p, records);
    // The previous process of pod-0 claimed a batch and died; its lease has a minute left.
    const source = new BatchSource(redis, drainKeys(p), 60);
    await source.renewLease('pod-0', 60_000);
    const dead = await source.claim('pod-0.dead.0', 'pod-0', 500, 500);
    expect(dead?.pages).toBe(1);
    expect((await source.readPage(dead as Claim, 0)).entries).toHaveLength(500);
    // Another instance leaves it alone while that lease lives…
    const other = testDrainer(redis, store, p, { instanceId: 'pod-1', leaseMs: 60_000 });
    other.start();
    await waitFor(async () =>
      (await Promise.all(gatewayLists(p).map((l) => redis.llen(l)))).every((n) => n === 0),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await redis.hkeys(`keymeter:${p}:inflight`)).toEqual(['pod-0.dead.0']);
    await other.stop();
    // …the restarted pod-0 takes it at once.
    const restarted = testDrainer(redis, store, p, { instanceId: 'pod-0', leaseMs: 60_000 });
    restarted.start();
    await waitFor(() => drained(redis, p), 5_000);
    await restarted.stop();
    await expectExactTotals(store, records);
    await store.close();
  });

  it('two drainers at once drain disjoint records: exact totals', async () => {
    const p = prefix();
    const store = await sqliteUnderTest.open();
    const records = makeRecords(6_000, 7);
    const a = testDrainer(redis, store, p, { batchSize: 200 });
    const b = testDrainer(redis, store, p, { batchSize: 200 });
    a.start();
    b.start();
    for (let i = 0; i < 6; i++) await pushRecords(redis, p, records.slice(i * 1_000, (i + 1) * 1_000));
    await waitFor(() => drained(redis, p));
    await Promise.all([a.stop(), b.stop()]);
    await expectExactTotals(store, records);
    await store.close();
  });

  it('a group refused as partly committed (a page committed by an adopter while it stalled) is redone page by page', async () => {
    const p = prefix();
    const store = await sqliteUnderTest.open();
    const records = makeRecords(4_000, 41);
    await pushRecords(redis, p, records);
    const source = new BatchSource(redis, drainKeys(p), 60);
    let stolen: string | undefined;
    const commit = store.aggregates.commit.bind(store.aggregates);
    store.aggregates.commit = async (batch, o) => {
      const first = o?.batchIds?.[0];
      if (stolen === undefined && first !== undefined && (o?.batchIds?.length ?? 0) > 1) {
        // While pod-a "stalled", the thief adopted the claim of the group's first page and committed that page.
        stolen = first;
        const [claimId, page] = first.split('/');
        const seen = (await source.inflight()).find((c) => c.claim.batchId === claimId);
        const claim = seen && (await source.takeover(seen, 'thief'));
        await source.renewLease('thief', 60_000);
        const taken = await source.readPage(claim as Claim, Number(page));
        const agg = { tz: new TimeZone('UTC'), trackAllPaths: true };
        await commit(prepareResults(taken.entries.map(decodeMsgpackRecord), agg).batch, {
          batchIds: [first],
        });
      }
      return commit(batch, o);
    };
    const podA = testDrainer(redis, store, p, {
      instanceId: 'pod-a',
      batchSize: 300,
      groupRecords: 1_500,
      groupMs: 60_000,
    });
    podA.start();
    // pod-a drains everything but the claim the thief took (it redoes the rest of its refused group)…
    const lists = gatewayLists(p);
    await waitFor(
      async () =>
        (await Promise.all(lists.map((l) => redis.llen(l)))).every((n) => n === 0) &&
        (await source.inflight()).every((c) => c.claim.owner === 'thief'),
    );
    await podA.stop();
    expect(stolen).toBeDefined();
    // …and the thief finishes that claim, skipping the page it had committed.
    const thief = testDrainer(redis, store, p, { instanceId: 'thief', leaseMs: 60_000 });
    thief.start();
    await waitFor(() => drained(redis, p));
    await thief.stop();
    await expectExactTotals(store, records);
    await store.close();
  });

  it('Redis connection dropped again and again mid-drain: exact totals', async () => {
    const p = prefix();
    const store = await sqliteUnderTest.open();
    const records = makeRecords(4_000, 13);
    await pushRecords(redis, p, records);
    const own = connectRedis(); // the drainer's connection, killed from outside as a Redis restart would
    own.on('error', () => {});
    const drainer = testDrainer(own, store, p, { batchSize: 150 });
    drainer.start();
    let kills = 0;
    while (!(await drained(redis, p))) {
      const id = (await own.client('ID').catch(() => undefined)) as number | undefined;
      if (id !== undefined && kills < 15) {
        await redis.client('KILL', 'ID', String(id));
        kills++;
      }
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 60));
    }
    await drainer.stop();
    own.disconnect();
    expect(kills).toBeGreaterThan(0);
    await expectExactTotals(store, records);
    await store.close();
  });
});
