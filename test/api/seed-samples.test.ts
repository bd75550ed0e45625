import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimeZone } from '../../src/aggregate/time-zone.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { storesUnderTest } from '../helpers/stores.ts';

/** Both sample responses of the Tyk documentation page, rebuilt from records. */
describe.each(storesUnderTest())('seed page samples ($name)', (backend) => {
  let t: TestApp;
  let key: string;
  beforeEach(async () => {
    t = await testApp(await backend.open(), { timeZone: new TimeZone('Asia/Kolkata') });
    await t.createOrg('tyk-org');
    key = await t.createUser('tyk-org');
  });
  afterEach(() => t.close());

  const record = (o: Record<string, unknown>) => ({
    org_id: 'tyk-org',
    api_name: '',
    method: 'GET',
    api_key: '',
    oauth_id: '',
    track_path: true,
    ...o,
  });

  it('rebuilds the key sample (request_time is the honest average, not Tyk 0)', async () => {
    const ingest = await t.ingestJson([
      record({
        api_id: '41351a6a94094da05f75146a695a16f6',
        path: '/anything',
        api_key: '7f3c3ca87376cabe',
        response_code: 200,
        request_time: 217,
        latency: { total: 217, upstream: 217 },
        timestamp: '2020-10-13T13:22:49.667+05:30',
      }),
      record({
        api_id: '1793db2cbb724ad54da582ce3191d383',
        path: '/anything',
        api_key: '7f3c3ca87376cabe',
        response_code: 200,
        request_time: 568,
        latency: { total: 568, upstream: 568 },
        timestamp: '2020-10-13T07:52:20.534Z',
      }),
    ]);
    expect(ingest.body.Meta).toEqual({ accepted: 2, rejected: 0, errors: [] });
    const r = await t.get('/api/activity/keys/endpoint/7f3c3ca87376cabe/13/10/2020/14/10/2020', key);
    expect(r.statusCode).toBe(200);
    expect(r.contentType).toBe('application/json');
    const id = (api_id: string) => ({
      day: 0,
      month: 0,
      year: 0,
      hour: 0,
      code: 0,
      path: '/anything',
      key: '',
      alias: '',
      url: '',
      iso_country: '',
      api_id,
      api_name: '',
    });
    expect(r.raw).toBe(
      JSON.stringify({
        data: [
          {
            id: id('41351a6a94094da05f75146a695a16f6'),
            hits: 1,
            success: 1,
            error: 0,
            last_hit: '2020-10-13T13:22:49.667+05:30',
            request_time: 217,
            latency: 217,
            upstream_latency: 217,
            max_upstream_latency: 217,
            min_upstream_latency: 217,
            max_latency: 217,
            min_latency: 217,
          },
          {
            id: id('1793db2cbb724ad54da582ce3191d383'),
            hits: 1,
            success: 1,
            error: 0,
            last_hit: '2020-10-13T13:22:20.534+05:30',
            request_time: 568,
            latency: 568,
            upstream_latency: 568,
            max_upstream_latency: 568,
            min_upstream_latency: 568,
            max_latency: 568,
            min_latency: 568,
          },
        ],
        pages: 1,
      }),
    );
  });

  it('rebuilds the OAuth client sample, with the error record kept out of the minimum', async () => {
    const client = '27b35a9ed46e429eb2361e440cc4005c';
    const api = '79fc7cb80df940cc5089772200bd4926';
    await t.ingestJson([
      record({
        api_id: api,
        path: '/get',
        oauth_id: client,
        response_code: 200,
        request_time: 248,
        latency: { total: 248, upstream: 248 },
        timestamp: '2020-10-13T14:47:02.100+05:30',
      }),
      record({
        api_id: api,
        path: '/get',
        oauth_id: client,
        response_code: 500,
        request_time: 748,
        latency: { total: 748, upstream: 747 },
        timestamp: '2020-10-13T14:48:51.582+05:30',
      }),
      record({
        api_id: api,
        path: '/post',
        method: 'POST',
        oauth_id: client,
        response_code: 201,
        request_time: 241,
        latency: { total: 241, upstream: 239 },
        timestamp: '2020-10-13T14:49:31.541+05:30',
      }),
    ]);
    const r = await t.get(`/api/activity/oauthid/endpoint/${client}/13/10/2020/14/10/2020`, key);
    expect(r.statusCode).toBe(200);
    expect(r.body.pages).toBe(1);
    expect(r.body.data?.map(({ id, ...rest }) => ({ path: id.path, ...rest }))).toEqual([
      {
        path: '/get',
        hits: 2,
        success: 1,
        error: 1,
        last_hit: '2020-10-13T14:48:51.582+05:30',
        request_time: 498,
        latency: 498,
        upstream_latency: 497.5,
        max_upstream_latency: 747,
        min_upstream_latency: 248,
        max_latency: 748,
        min_latency: 248,
      },
      {
        path: '/post',
        hits: 1,
        success: 1,
        error: 0,
        last_hit: '2020-10-13T14:49:31.541+05:30',
        request_time: 241,
        latency: 241,
        upstream_latency: 239,
        max_upstream_latency: 239,
        min_upstream_latency: 239,
        max_latency: 241,
        min_latency: 241,
      },
    ]);
  });
});
