import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectedRow, rec } from '../../test/helpers/records.ts';
import { type AggregateRow, aggregateBatch } from '../aggregate/aggregate.ts';
import { bucketOf, weekOfDay } from '../aggregate/buckets.ts';
import { metricsOf } from '../aggregate/counters.ts';
import { TimeZone } from '../aggregate/time-zone.ts';
import type { AnalyticsRecord } from '../record/record.ts';
import type { EndpointQuery, Store, User } from './store.ts';

/** Opens a fresh, empty, migrated store; the suite closes it after each test. */
export type StoreFactory = () => Promise<Store>;

const UTC = new TimeZone('UTC');
const day = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 86_400_000;
const batchOf = (records: AnalyticsRecord[], tz = UTC) =>
  aggregateBatch(records, { tz, trackAllPaths: true });

/**
 * The behaviour every AggregateStore/AccountStore must have. Run it against each backend; a
 * difference between backends is a bug.
 */
export function describeStoreContract(name: string, open: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const query = (over: Partial<EndpointQuery> = {}) =>
      store.aggregates.queryEndpoints({
        orgId: 'org-a',
        kind: 'key',
        subject: 'key-1',
        startDay: day(2024, 1, 1),
        endDay: day(2024, 12, 31),
        ...over,
      });
    const metrics = async (over: Partial<EndpointQuery> = {}) =>
      (await query(over))
        .map((e) => ({ apiId: e.apiId, path: e.path, ...metricsOf(e.counters) }))
        .sort((a, b) => (a.path < b.path ? -1 : 1));

    it('merges batches with the counter algebra (sums, max, min over non-errors, last hit)', async () => {
      const t = Date.UTC(2024, 0, 15, 10);
      await store.aggregates.commit(
        batchOf([rec({ latencyTotal: 300, latencyUpstream: 250, requestTime: 300, timestampMs: t + 5000 })]),
      );
      await store.aggregates.commit(
        batchOf([
          rec({ responseCode: 500, latencyTotal: 7, latencyUpstream: 3, requestTime: 7, timestampMs: t }),
          rec({
            responseCode: 302,
            latencyTotal: 50,
            latencyUpstream: 40,
            requestTime: 51,
            timestampMs: t + 1000,
          }),
        ]),
      );
      const [row] = await metrics();
      expect(row).toEqual({
        apiId: 'api-1',
        path: '/get',
        hits: 3,
        success: 1,
        error: 1,
        lastHitMs: t + 5000,
        requestTime: (300 + 7 + 51) / 3,
        latency: (300 + 7 + 50) / 3,
        upstreamLatency: (250 + 3 + 40) / 3,
        maxUpstreamLatency: 250,
        minUpstreamLatency: 40,
        maxLatency: 300,
        minLatency: 50,
      });
    });

    it('falls back to the minimum over all records when a row holds only errors', async () => {
      await store.aggregates.commit(
        batchOf([rec({ responseCode: 503, latencyTotal: 40, latencyUpstream: 30 })]),
      );
      await store.aggregates.commit(
        batchOf([rec({ responseCode: 404, latencyTotal: 20, latencyUpstream: 35 })]),
      );
      const [row] = await metrics();
      expect(row).toMatchObject({ hits: 2, error: 2, success: 0, minLatency: 20, minUpstreamLatency: 30 });
    });

    it('keeps the api_name of the latest hit across batches committed in any order', async () => {
      const t = Date.UTC(2024, 2, 1);
      await store.aggregates.commit(batchOf([rec({ apiName: 'new-name', timestampMs: t + 10 })]));
      await store.aggregates.commit(batchOf([rec({ apiName: 'old-name', timestampMs: t })]));
      const [row] = await query();
      expect(row?.counters.apiName).toBe('new-name');
      expect(row?.counters.lastHitMs).toBe(t + 10);
    });

    it('sums over HTTP methods into one row per (api_id, path)', async () => {
      await store.aggregates.commit(
        batchOf([rec({ method: 'GET' }), rec({ method: 'POST' }), rec({ apiId: 'api-2' })]),
      );
      const rows = await query();
      expect(rows.map((r) => [r.apiId, r.path, r.counters.hits]).sort()).toEqual([
        ['api-1', '/get', 2],
        ['api-2', '/get', 1],
      ]);
    });

    it('answers whole-month, partial-month and single-day ranges identically to a naive sum', async () => {
      const records: AnalyticsRecord[] = [];
      for (let d = 0; d < 120; d++) {
        const ts = Date.UTC(2024, 0, 20) + d * 86_400_000 + (d % 24) * 3_600_000;
        records.push(rec({ timestampMs: ts, latencyTotal: 10 + (d % 17), requestTime: d }));
      }
      await store.aggregates.commit(batchOf(records));
      for (const [s, e] of [
        [day(2024, 1, 20), day(2024, 5, 18)],
        [day(2024, 2, 1), day(2024, 3, 31)],
        [day(2024, 2, 10), day(2024, 4, 2)],
        [day(2024, 2, 29), day(2024, 2, 29)],
      ] as const) {
        const inRange = records.filter((r) => {
          const d = bucketOf(r.timestampMs, UTC).day;
          return d >= s && d <= e;
        });
        const [row] = await metrics({ startDay: s, endDay: e });
        expect(row?.hits).toBe(inRange.length);
        expect(row?.requestTime).toBe(inRange.reduce((a, r) => a + r.requestTime, 0) / inRange.length);
        expect(row?.minLatency).toBe(Math.min(...inRange.map((r) => r.latencyTotal)));
      }
    });

    it('answers ranges planned over whole weeks exactly, in UTC, a DST zone and a +05:30 zone', async () => {
      const zones = ['UTC', 'America/New_York', 'Asia/Kolkata'].map((name) => new TimeZone(name));
      const bySubject = new Map<string, AnalyticsRecord[]>();
      for (const tz of zones) {
        const records: AnalyticsRecord[] = [];
        // Every 5 h 7 min from 20 Oct 2024 to 10 Feb 2025: across the DST change of 3 Nov, New
        // Year and every hour of the local day; names change so the latest hit's name must win.
        for (let t = Date.UTC(2024, 9, 20), i = 0; t < Date.UTC(2025, 1, 10); t += 307 * 60_000, i++) {
          records.push(
            rec({
              apiKey: `key-${tz.name}`,
              timestampMs: t,
              responseCode: i % 9 === 0 ? 502 : 200,
              latencyTotal: 10 + ((i * 37) % 101),
              latencyUpstream: 5 + ((i * 53) % 97),
              requestTime: 11 + ((i * 17) % 89),
              apiName: `name-${Math.floor(i / 40) % 3}`,
            }),
          );
        }
        bySubject.set(tz.name, records);
        await store.aggregates.commit(batchOf(records, tz));
      }
      const ranges: Array<[number, number]> = [
        [day(2024, 11, 6), day(2024, 11, 26)], // Wednesday to Tuesday: days, two weeks, days
        [day(2024, 10, 28), day(2024, 11, 10)], // Monday to Sunday, across the DST change and 1 Nov
        [day(2024, 11, 20), day(2024, 12, 20)], // 31 days across a month boundary, not month-aligned
        [day(2024, 12, 28), day(2025, 1, 6)], // a week across New Year
        [day(2024, 10, 23), day(2025, 2, 4)], // whole Nov, Dec, Jan; weeks and days on both sides
        [day(2024, 12, 30), day(2024, 12, 30)], // one Monday
      ];
      for (const tz of zones) {
        const records = bySubject.get(tz.name) ?? [];
        for (const [s, e] of ranges) {
          const inRange = records.filter((r) => {
            const d = bucketOf(r.timestampMs, tz).day;
            return d >= s && d <= e;
          });
          const [row, ...rest] = await query({ subject: `key-${tz.name}`, startDay: s, endDay: e });
          expect(rest).toEqual([]);
          if (row === undefined) throw new Error(`no row for ${tz.name} ${s}..${e}`);
          const last = inRange.reduce((a, r) => (r.timestampMs > a.timestampMs ? r : a));
          expect({ ...metricsOf(row.counters), apiName: row.counters.apiName }).toEqual({
            ...expectedRow(inRange),
            apiName: last.apiName,
          });
        }
      }
    });

    it('keeps a week row while any of its days is kept, and drops it once all have expired', async () => {
      // Mondays 1, 8 and 15 January 2024 (1 Jan 2024 was a Monday).
      await store.aggregates.commit(
        batchOf([1, 8, 15].map((d) => rec({ timestampMs: Date.UTC(2024, 0, d, 12) }))),
      );
      // Keep from Wednesday 10 January: the week of 1 Jan has expired, the week of 8 Jan has not.
      const cut = bucketOf(Date.UTC(2024, 0, 10), UTC);
      expect(cut.week).toBe(weekOfDay(day(2024, 1, 8)));
      await store.aggregates.applyRetention(cut, 0);
      const hits = async (s: number, e: number) =>
        (await query({ startDay: s, endDay: e })).reduce((n, r) => n + r.counters.hits, 0);
      expect(await hits(day(2024, 1, 1), day(2024, 1, 7))).toBe(0); // a whole week, expired
      expect(await hits(day(2024, 1, 8), day(2024, 1, 14))).toBe(1); // a whole week, kept
      expect(await hits(day(2024, 1, 8), day(2024, 1, 9))).toBe(0); // its expired days
      expect(await hits(day(2024, 1, 15), day(2024, 1, 21))).toBe(1);
    });

    it('returns nothing for a range without data', async () => {
      await store.aggregates.commit(batchOf([rec()]));
      expect(await query({ startDay: day(2023, 1, 1), endDay: day(2023, 12, 31) })).toEqual([]);
    });

    it('isolates organisations; a super user (orgId null) sees all of them', async () => {
      await store.aggregates.commit(
        batchOf([rec({ orgId: 'org-a' }), rec({ orgId: 'org-b' }), rec({ orgId: 'org-b' })]),
      );
      expect((await query({ orgId: 'org-a' }))[0]?.counters.hits).toBe(1);
      expect((await query({ orgId: 'org-b' }))[0]?.counters.hits).toBe(2);
      expect(await query({ orgId: 'org-c' })).toEqual([]);
      expect((await query({ orgId: null }))[0]?.counters.hits).toBe(3);
    });

    it('keeps key rows and OAuth rows apart', async () => {
      await store.aggregates.commit(
        batchOf([rec({ apiKey: 'shared', oauthId: 'shared' }), rec({ apiKey: 'shared' })]),
      );
      expect((await query({ subject: 'shared' }))[0]?.counters.hits).toBe(2);
      expect((await query({ kind: 'oauth', subject: 'shared' }))[0]?.counters.hits).toBe(1);
    });

    it('skips a batch whose id was already committed, and remembers ids', async () => {
      const b = batchOf([rec()]);
      expect(await store.aggregates.commit(b, { batchId: 'b-1' })).toBe(true);
      expect(await store.aggregates.commit(b, { batchId: 'b-1' })).toBe(false);
      expect(await store.aggregates.isCommitted('b-1')).toBe(true);
      expect(await store.aggregates.isCommitted('b-2')).toBe(false);
      expect((await query())[0]?.counters.hits).toBe(1);
    });

    it('stores identity strings holding NUL (as U+FFFD) instead of failing the batch', async () => {
      await store.aggregates.commit(
        batchOf([rec({ path: '/a\0b', apiName: 'x\0' }), rec({ path: '/a\uFFFDb' })]),
      );
      const rows = await query();
      expect(rows.map((r) => r.path)).toEqual(['/a\uFFFDb']);
      expect(rows[0]?.counters.hits).toBe(2);
    });

    it('commits several batch ids as one: all skipped together, never a partial repeat', async () => {
      const b = batchOf([rec()]);
      expect(await store.aggregates.commit(b, { batchIds: ['g-1', 'g-2', 'g-3'] })).toBe(true);
      expect(await store.aggregates.commit(b, { batchIds: ['g-1', 'g-2', 'g-3'] })).toBe(false);
      // An adopter retrying one member of the group alone sees it committed.
      expect(await store.aggregates.commit(b, { batchId: 'g-2' })).toBe(false);
      expect(await store.aggregates.isCommitted('g-3')).toBe(true);
      await expect(store.aggregates.commit(b, { batchIds: ['g-1', 'g-new'] })).rejects.toThrow(/partly/);
      expect(await store.aggregates.isCommitted('g-new')).toBe(false);
      expect((await query())[0]?.counters.hits).toBe(1);
    });

    it('commits a batch all or nothing', async () => {
      const good = batchOf([rec({ path: '/a' }), rec({ path: '/b' })]);
      const broken = { ...good.hours[1], orgId: null } as unknown as AggregateRow;
      const bad = { ...good, hours: [good.hours[0] as AggregateRow, broken] };
      await expect(store.aggregates.commit(bad, { batchId: 'bad' })).rejects.toThrow();
      expect(await query()).toEqual([]);
      expect(await store.aggregates.isCommitted('bad')).toBe(false);
    });

    it('stores dead letters with the batch and resolves them atomically', async () => {
      const payload = new Uint8Array([0xc1, 0x00, 0xff]);
      await store.aggregates.commit(batchOf([]), {
        deadLetters: [{ source: 'test', reason: 'bad', payload, receivedAtMs: 1 }],
      });
      const [dl] = await store.aggregates.listDeadLetters(0, 10);
      expect(dl).toMatchObject({ source: 'test', reason: 'bad', receivedAtMs: 1 });
      expect([...(dl?.payload ?? [])]).toEqual([0xc1, 0x00, 0xff]);
      expect(await store.aggregates.countDeadLetters()).toBe(1);
      await store.aggregates.commit(batchOf([rec()]), { resolveDeadLetterIds: [dl?.id ?? -1] });
      expect(await store.aggregates.countDeadLetters()).toBe(0);
    });

    it('applies retention to every granularity', async () => {
      await store.aggregates.commit(
        batchOf([rec({ timestampMs: Date.UTC(2024, 0, 5) }), rec({ timestampMs: Date.UTC(2024, 2, 5) })]),
      );
      const cut = bucketOf(Date.UTC(2024, 1, 1), UTC);
      await store.aggregates.applyRetention(cut, 0);
      expect((await query())[0]?.counters.hits).toBe(1);
    });

    it('creates organisations once and lists them', async () => {
      const org = { id: 'o1', ownerName: 'Acme', ownerSlug: 'acme', createdAtMs: 1 };
      expect(await store.accounts.createOrganisation(org)).toBe(true);
      expect(await store.accounts.createOrganisation({ ...org, ownerName: 'Other' })).toBe(false);
      expect(await store.accounts.getOrganisation('o1')).toEqual(org);
      expect(await store.accounts.getOrganisation('nope')).toBeUndefined();
      expect((await store.accounts.listOrganisations()).map((o) => o.id)).toEqual(['o1']);
    });

    it('creates, finds by key hash and deletes users', async () => {
      const user: User = {
        id: 'u1',
        orgId: null,
        firstName: 'A',
        lastName: 'B',
        emailAddress: 'a@example.com',
        active: true,
        permissions: { analytics: 'read' },
        accessKeyHash: 'h1',
        createdAtMs: 5,
      };
      expect(await store.accounts.createUser(user)).toBe(true);
      expect(await store.accounts.createUser({ ...user, id: 'u2', accessKeyHash: 'h2' })).toBe(false);
      expect(await store.accounts.getUser('u1')).toEqual(user);
      expect(await store.accounts.getUserByKeyHash('h1')).toEqual(user);
      expect(await store.accounts.deleteUser('u1')).toBe(true);
      expect(await store.accounts.deleteUser('u1')).toBe(false);
      expect(await store.accounts.getUserByKeyHash('h1')).toBeUndefined();
    });

    it('keeps the first value of a setting', async () => {
      expect(await store.accounts.getSetting('s')).toBeUndefined();
      expect(await store.accounts.initSetting('s', 'first')).toBe('first');
      expect(await store.accounts.initSetting('s', 'second')).toBe('first');
    });
  });
}
