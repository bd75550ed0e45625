import { afterEach, describe, expect, it } from 'vitest';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import type { AnalyticsRecord } from '../../src/record/record.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { expectedRow, rec } from '../helpers/records.ts';
import { storesUnderTest } from '../helpers/stores.ts';

/** A record in Tyk's JSON form, as an HTTP client sends it. */
const toJson = (r: AnalyticsRecord) => ({
  org_id: r.orgId,
  api_id: r.apiId,
  api_name: r.apiName,
  path: r.path,
  method: r.method,
  api_key: r.apiKey,
  oauth_id: r.oauthId,
  response_code: r.responseCode,
  request_time: r.requestTime,
  latency: { total: r.latencyTotal, upstream: r.latencyUpstream, gateway: 1 },
  timestamp: new Date(r.timestampMs).toISOString(),
  track_path: r.trackPath,
});

describe.each(storesUnderTest())('seed endpoints behaviour ($name)', (backend) => {
  let t: TestApp;
  afterEach(() => t.close());

  async function setup(zone = 'UTC', pageSize = 10): Promise<string> {
    t = await testApp(await backend.open(), { timeZone: new TimeZone(zone), pageSize });
    await t.createOrg('org-a');
    return t.createUser('org-a');
  }
  const ingest = async (records: AnalyticsRecord[]) => {
    const r = await t.ingestJson(records.map(toJson));
    expect(r.statusCode).toBe(200);
  };
  const keyRows = async (key: string, dates: string, subject = 'key-1') =>
    (await t.get(`/api/activity/keys/endpoint/${subject}/${dates}?p=0`, key)).body.data ?? [];

  it('computes the algebra exactly: 1xx/3xx only in hits, error-only minimum, averages from sums', async () => {
    const key = await setup();
    const day = Date.UTC(2024, 4, 10);
    const records = [
      rec({ path: '/mixed', responseCode: 101, latencyTotal: 9, latencyUpstream: 8, timestampMs: day + 1 }),
      rec({
        path: '/mixed',
        responseCode: 304,
        latencyTotal: 30,
        latencyUpstream: 25,
        timestampMs: day + 3_600_000,
      }),
      rec({
        path: '/mixed',
        responseCode: 201,
        latencyTotal: 50,
        latencyUpstream: 45,
        timestampMs: day + 7_200_000,
      }),
      rec({
        path: '/mixed',
        responseCode: 502,
        latencyTotal: 2,
        latencyUpstream: 1,
        timestampMs: day + 10_800_000,
      }),
      rec({ path: '/errors', responseCode: 404, latencyTotal: 12, latencyUpstream: 10, timestampMs: day }),
      rec({ path: '/errors', responseCode: 500, latencyTotal: 7, latencyUpstream: 11, timestampMs: day + 5 }),
    ];
    // Split over two ingests so sums cross batches and buckets.
    await ingest(records.slice(0, 3));
    await ingest(records.slice(3));
    const rows = await keyRows(key, '10/5/2024/10/5/2024');
    for (const path of ['/mixed', '/errors']) {
      const row = rows.find((r) => r.id.path === path);
      const want = expectedRow(records.filter((r) => r.path === path));
      expect(row).toMatchObject({
        hits: want.hits,
        success: want.success,
        error: want.error,
        request_time: want.requestTime,
        latency: want.latency,
        upstream_latency: want.upstreamLatency,
        max_latency: want.maxLatency,
        min_latency: want.minLatency,
        max_upstream_latency: want.maxUpstreamLatency,
        min_upstream_latency: want.minUpstreamLatency,
        last_hit: new Date(want.lastHitMs).toISOString().replace('.000Z', 'Z'),
      });
    }
    expect(rows.find((r) => r.id.path === '/mixed')).toMatchObject({
      hits: 4,
      success: 1,
      error: 1,
      min_latency: 9,
    });
    expect(rows.find((r) => r.id.path === '/errors')).toMatchObject({
      error: 2,
      min_latency: 7,
      min_upstream_latency: 10,
    });
  });

  it('keeps last_hit at the latest record whatever order batches arrive in', async () => {
    const key = await setup();
    const base = Date.UTC(2024, 1, 1, 12);
    await ingest([rec({ timestampMs: base + 500 })]);
    await ingest([rec({ timestampMs: base - 86_400_000 })]);
    await ingest([rec({ timestampMs: base + 120 })]);
    const [row] = await keyRows(key, '1/1/2024/29/2/2024');
    expect(row?.last_hit).toBe('2024-02-01T12:00:00.5Z');
    expect(row?.hits).toBe(3);
  });

  it('puts 23:59:59.999 and 00:00 on either side of a day boundary', async () => {
    const key = await setup();
    await ingest([
      rec({ timestampMs: Date.UTC(2024, 2, 9, 23, 59, 59, 999) }),
      rec({ timestampMs: Date.UTC(2024, 2, 10, 0, 0, 0, 0) }),
    ]);
    expect((await keyRows(key, '9/3/2024/9/3/2024'))[0]).toMatchObject({
      hits: 1,
      last_hit: '2024-03-09T23:59:59.999Z',
    });
    expect((await keyRows(key, '10/3/2024/10/3/2024'))[0]).toMatchObject({
      hits: 1,
      last_hit: '2024-03-10T00:00:00Z',
    });
    expect((await keyRows(key, '9/3/2024/10/3/2024'))[0]?.hits).toBe(2);
  });

  it('uses the configured zone for day boundaries and last_hit (+05:30)', async () => {
    const key = await setup('Asia/Kolkata');
    // 18:29:59.999Z is 23:59:59.999 in Kolkata; 18:30Z is the next local day.
    await ingest([
      rec({ timestampMs: Date.UTC(2024, 5, 1, 18, 29, 59, 999) }),
      rec({ timestampMs: Date.UTC(2024, 5, 1, 18, 30) }),
      rec({ timestampMs: Date.UTC(2024, 5, 1, 18, 45) }),
    ]);
    expect((await keyRows(key, '1/6/2024/1/6/2024'))[0]).toMatchObject({
      hits: 1,
      last_hit: '2024-06-01T23:59:59.999+05:30',
    });
    expect((await keyRows(key, '2/6/2024/2/6/2024'))[0]).toMatchObject({
      hits: 2,
      last_hit: '2024-06-02T00:15:00+05:30',
    });
  });

  it('handles a leap day and ranges with no data', async () => {
    const key = await setup();
    await ingest([
      rec({ timestampMs: Date.UTC(2024, 1, 29, 10) }),
      rec({ timestampMs: Date.UTC(2024, 2, 1, 10) }),
    ]);
    expect((await keyRows(key, '29/2/2024/29/2/2024'))[0]?.hits).toBe(1);
    expect((await keyRows(key, '28/2/2024/1/3/2024'))[0]?.hits).toBe(2);
    const empty = await t.get('/api/activity/keys/endpoint/key-1/1/1/2023/31/12/2023', key);
    expect(empty.body).toEqual({ data: [], pages: 0 });
    const unknownKey = await t.get('/api/activity/keys/endpoint/nobody/1/1/2024/31/12/2024', key);
    expect(unknownKey.body).toEqual({ data: [], pages: 0 });
  });

  it('orders rows (hits desc, last_hit desc, api_id, path) and pages them', async () => {
    const key = await setup('UTC', 2);
    const ts = Date.UTC(2024, 6, 1);
    await ingest([
      rec({ apiId: 'b', path: '/x', timestampMs: ts }),
      rec({ apiId: 'a', path: '/y', timestampMs: ts }),
      rec({ apiId: 'a', path: '/x', timestampMs: ts }),
      rec({ apiId: 'z', path: '/late', timestampMs: ts + 10 }),
      rec({ apiId: 'z', path: '/busy', timestampMs: ts }),
      rec({ apiId: 'z', path: '/busy', timestampMs: ts }),
    ]);
    const order = ['z/busy', 'z/late', 'a/x', 'a/y', 'b/x'];
    const page = async (p?: string) => {
      const r = await t.get(
        `/api/activity/keys/endpoint/key-1/1/7/2024/1/7/2024${p === undefined ? '' : `?p=${p}`}`,
        key,
      );
      return { ids: (r.body.data ?? []).map((d) => `${d.id.api_id}${d.id.path}`), pages: r.body.pages };
    };
    expect(await page()).toEqual({ ids: order.slice(0, 2), pages: 3 });
    expect(await page('1')).toEqual({ ids: order.slice(0, 2), pages: 3 });
    expect(await page('3')).toEqual({ ids: order.slice(4), pages: 3 });
    expect(await page('4')).toEqual({ ids: [], pages: 3 });
    expect(await page('0')).toEqual({ ids: order, pages: 0 });
    expect(await page('-2')).toEqual({ ids: order, pages: 0 });
  });

  it('serves OAuth client rows separately from key rows, and counts TrackPath and -1 as specified', async () => {
    const key = await setup();
    await ingest([
      rec({ apiKey: '', oauthId: 'client-1' }),
      rec({ apiKey: 'key-1', oauthId: 'client-1' }),
      rec({ responseCode: -1 }),
      rec({ trackPath: false }),
    ]);
    const oauth = await t.get('/api/activity/oauthid/endpoint/client-1/1/1/2024/31/1/2024?p=0', key);
    expect(oauth.body.data?.[0]?.hits).toBe(2);
    expect((await keyRows(key, '1/1/2024/31/1/2024'))[0]?.hits).toBe(2);
  });

  it('leaves TrackPath=false records out when track-all-paths is off', async () => {
    t = await testApp(await backend.open(), { trackAllPaths: false });
    await t.createOrg('org-a');
    const key = await t.createUser('org-a');
    await ingest([rec({ trackPath: false }), rec({ trackPath: true })]);
    expect((await keyRows(key, '1/1/2024/31/1/2024'))[0]?.hits).toBe(1);
  });

  it('isolates organisations: org B never sees org A rows for the same key; a super user sees both', async () => {
    const keyA = await setup();
    await t.createOrg('org-b');
    const keyB = await t.createUser('org-b');
    const superKey = await t.createUser(null);
    await ingest([
      rec({ orgId: 'org-a' }),
      rec({ orgId: 'org-a' }),
      rec({ orgId: 'org-b', path: '/b-only' }),
    ]);
    const rows = async (k: string) =>
      (await keyRows(k, '1/1/2024/31/1/2024')).map((r) => [r.id.path, r.hits] as [string, number]);
    expect(await rows(keyA)).toEqual([['/get', 2]]);
    expect(await rows(keyB)).toEqual([['/b-only', 1]]);
    expect(await rows(superKey)).toEqual([
      ['/get', 2],
      ['/b-only', 1],
    ]);
  });

  it('revokes a deleted user at once', async () => {
    const key = await setup();
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/users',
      headers: t.admin,
      payload: {
        org_id: 'org-a',
        first_name: 'x',
        last_name: 'y',
        email_address: 'gone@example.com',
        active: true,
      },
    });
    const { Message: gone, Meta } = created.json();
    expect((await t.get('/api/activity/keys/endpoint/k/1/1/2024/1/1/2024', gone)).statusCode).toBe(200);
    const del = await t.app.inject({ method: 'DELETE', url: `/admin/users/${Meta.id}`, headers: t.admin });
    expect(del.json()).toEqual({ Status: 'OK', Message: 'User deleted', Meta: null });
    expect((await t.get('/api/activity/keys/endpoint/k/1/1/2024/1/1/2024', gone)).statusCode).toBe(401);
    expect((await t.get('/api/activity/keys/endpoint/k/1/1/2024/1/1/2024', key)).statusCode).toBe(200);
  });

  it('gives identical answers for gateway msgpack and JSON ingest of the same records', async () => {
    const key = await setup('Asia/Kolkata');
    const records: AnalyticsRecord[] = [];
    for (let i = 0; i < 300; i++) {
      records.push(
        rec({
          apiId: `api-${i % 3}`,
          path: `/p${i % 7}`,
          method: i % 2 ? 'GET' : 'POST',
          apiKey: i % 5 === 0 ? '00000000' : 'key-1',
          oauthId: i % 4 === 0 ? 'client-9' : '',
          responseCode: [200, 201, 302, 404, 500, 101][i % 6] ?? 200,
          requestTime: (i * 37) % 1000,
          latencyTotal: (i * 53) % 900,
          latencyUpstream: (i * 41) % 800,
          timestampMs: Date.UTC(2024, 0, 1) + i * 3_217_117,
        }),
      );
    }
    const viaJson = await t.ingestJson(records.map(toJson));
    expect(viaJson.body.Meta).toMatchObject({ accepted: 300, rejected: 0 });
    const dates = '1/1/2024/31/3/2024';
    const snapshot = async () =>
      Promise.all(
        ['keys/endpoint/key-1', 'keys/endpoint/00000000', 'oauthid/endpoint/client-9'].map(
          async (p) => (await t.get(`/api/activity/${p}/${dates}?p=0`, key)).raw,
        ),
      );
    const fromJson = await snapshot();
    await t.close();

    t = await testApp(await backend.open(), { timeZone: new TimeZone('Asia/Kolkata') });
    await t.createOrg('org-a');
    const key2 = await t.createUser('org-a');
    const viaMsgpack = await t.ingestMsgpack(records);
    expect(viaMsgpack.body.Meta).toMatchObject({ accepted: 300, rejected: 0 });
    const fromMsgpack = await Promise.all(
      ['keys/endpoint/key-1', 'keys/endpoint/00000000', 'oauthid/endpoint/client-9'].map(
        async (p) => (await t.get(`/api/activity/${p}/${dates}?p=0`, key2)).raw,
      ),
    );
    expect(fromMsgpack).toEqual(fromJson);
    expect(JSON.parse(fromJson[0] ?? '{}').data.length).toBeGreaterThan(5);
  });

  it('reports rejected records by index and commits the accepted ones', async () => {
    const key = await setup();
    const counted = async (name: string) => {
      const text = (await t.app.inject({ url: '/metrics' })).body;
      return Number(new RegExp(`^${name}\\{source="http"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    };
    const before = [
      await counted('keymeter_records_accepted_total'),
      await counted('keymeter_records_rejected_total'),
    ];
    const r = await t.ingestJson([
      toJson(rec()),
      { ...toJson(rec()), org_id: '' },
      { ...toJson(rec()), response_code: '200' },
      { ...toJson(rec()), timestamp: '2024-02-30T00:00:00Z' },
      'not a record',
      toJson(rec({ responseCode: -1 })),
    ]);
    expect(r.body.Meta?.accepted).toBe(2);
    expect(r.body.Meta?.errors?.map((e) => e.index)).toEqual([1, 2, 3, 4]);
    expect(r.body.Meta?.errors?.[0]?.reason).toMatch(/org/i);
    expect((await keyRows(key, '1/1/2024/31/1/2024'))[0]?.hits).toBe(1);
    expect(await counted('keymeter_records_accepted_total')).toBe((before[0] ?? 0) + 2);
    expect(await counted('keymeter_records_rejected_total')).toBe((before[1] ?? 0) + 4);
  });
});
