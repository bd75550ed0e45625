import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envelope } from '../../src/api/tyk-error.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { storesUnderTest } from '../helpers/stores.ts';

const URL = '/api/activity/keys/endpoint/k1';

describe.each(storesUnderTest())('error paths ($name)', (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp(await backend.open(), { ingestMaxBytes: 4096 });
    await t.createOrg('org-a');
  });
  afterEach(() => t.close());

  it('401 without, with an unknown, or with an inactive user key', async () => {
    const notAuthorised = { Status: 'Error', Message: 'Not authorised', Meta: null };
    expect(await t.get(`${URL}/1/1/2024/2/1/2024`)).toMatchObject({ statusCode: 401, body: notAuthorised });
    expect(await t.get(`${URL}/1/1/2024/2/1/2024`, 'nope')).toMatchObject({
      statusCode: 401,
      body: notAuthorised,
    });
    expect(await t.get(`${URL}/1/1/2024/2/1/2024`, 'Bearer ')).toMatchObject({
      statusCode: 401,
      body: notAuthorised,
    });
    const inactive = await t.createUser('org-a', { analytics: 'read' }, false);
    expect(await t.get(`${URL}/1/1/2024/2/1/2024`, inactive)).toMatchObject({
      statusCode: 401,
      body: notAuthorised,
    });
  });

  it('accepts the key plain or as a Bearer token', async () => {
    const key = await t.createUser('org-a');
    expect((await t.get(`${URL}/1/1/2024/2/1/2024`, key)).statusCode).toBe(200);
    expect((await t.get(`${URL}/1/1/2024/2/1/2024`, `Bearer ${key}`)).statusCode).toBe(200);
  });

  it('403 when the user lacks the analytics permission; admins and empty permissions pass', async () => {
    const denied = await t.createUser('org-a', { analytics: 'deny', keys: 'read' });
    const r = await t.get(`${URL}/1/1/2024/2/1/2024`, denied);
    expect(r.statusCode).toBe(403);
    expect(r.body).toMatchObject({ Status: 'Error', Meta: null });
    expect(r.body.Message).toMatch(/analytics/);
    for (const perms of [{ IsAdmin: 'admin' }, {}, { analytics: 'write' }] as Array<Record<string, string>>) {
      expect((await t.get(`${URL}/1/1/2024/2/1/2024`, await t.createUser('org-a', perms))).statusCode).toBe(
        200,
      );
    }
  });

  it.each([
    ['non-numeric day', 'aa/1/2024/2/1/2024'],
    ['impossible date', '30/2/2024/2/3/2024'],
    ['29 Feb in a common year', '29/2/2023/1/3/2023'],
    ['month 13', '1/13/2024/2/1/2025'],
    ['day 0', '0/1/2024/2/1/2024'],
    ['negative', '-1/1/2024/2/1/2024'],
    ['end before start', '2/1/2024/1/1/2024'],
    ['year before 1970', '1/1/1969/1/1/2024'],
    ['five-digit year', '1/1/20245/1/1/20245'],
  ])('400 for %s', async (_label, dates) => {
    const key = await t.createUser('org-a');
    const r = await t.get(`${URL}/${dates}`, key);
    expect(r.statusCode).toBe(400);
    expect(r.body).toMatchObject({ Status: 'Error', Meta: null });
    expect(r.body.Message).toMatch(/date/i);
  });

  it.each(['abc', '1.5', '', '1e3', '99999999999'])('400 for p=%s', async (p) => {
    const key = await t.createUser('org-a');
    const r = await t.get(`${URL}/1/1/2024/2/1/2024?p=${p}`, key);
    expect(r.statusCode).toBe(400);
    expect(r.body.Message).toMatch(/page/i);
  });

  it('accepts leading zeros in dates', async () => {
    const key = await t.createUser('org-a');
    expect((await t.get(`${URL}/01/01/2024/09/02/2024`, key)).statusCode).toBe(200);
  });

  it('404 in the envelope for unknown routes', async () => {
    const r = await t.get('/api/activity/nope');
    expect(r).toMatchObject({
      statusCode: 404,
      body: envelope('Not found'),
      contentType: 'application/json',
    });
    expect((await t.get(`${URL}/1/1/2024/2/1`)).statusCode).toBe(404);
  });

  it('403 on admin and ingest routes without the right admin-auth; it never opens analytics', async () => {
    for (const headers of [{}, { 'admin-auth': 'wrong' }]) {
      const r = await t.app.inject({ method: 'GET', url: '/admin/organisations', headers });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ Status: 'Error', Meta: null });
      const i = await t.app.inject({ method: 'POST', url: '/ingest/records', headers, payload: [] });
      expect(i.statusCode).toBe(403);
    }
    const viaAdmin = await t.app.inject({ method: 'GET', url: `${URL}/1/1/2024/2/1/2024`, headers: t.admin });
    expect(viaAdmin.statusCode).toBe(401);
  });

  it('413 for an oversized ingest body, 400 for malformed ones, and nothing committed', async () => {
    const key = await t.createUser('org-a');
    const big = Array.from({ length: 200 }, () => ({
      org_id: 'org-a',
      api_key: 'k1',
      timestamp: '2024-01-01T00:00:00Z',
    }));
    const tooBig = await t.ingestJson(big);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body).toMatchObject({ Status: 'Error', Meta: null });
    const bad = [
      { payload: '[{"org_id": "org-a",', type: 'application/json' },
      { payload: '{"org_id": "org-a"}', type: 'application/json' },
      { payload: Buffer.from([0xc1, 0xff, 0x00]), type: 'application/msgpack' },
      { payload: Buffer.from([0x81, 0xa1, 0x61, 0x01]), type: 'application/msgpack' },
      { payload: 'hello', type: 'text/plain' },
    ];
    for (const { payload, type } of bad) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/ingest/records',
        headers: { ...t.admin, 'content-type': type },
        payload,
      });
      expect([400, 415]).toContain(r.statusCode);
      expect(r.json()).toMatchObject({ Status: 'Error', Meta: null });
    }
    const r = await t.get(`${URL}/1/1/2024/2/1/2024?p=0`, key);
    expect(r.body).toEqual({ data: [], pages: 0 });
  });

  it('400 for malformed admin bodies, 404 for unknown ids', async () => {
    const post = (url: string, payload: unknown) =>
      t.app.inject({ method: 'POST', url, headers: t.admin, payload: payload as object });
    expect((await post('/admin/organisations', {})).statusCode).toBe(400);
    expect(
      (await post('/admin/organisations', { owner_name: 'x', id: 'bad id/with slash' })).statusCode,
    ).toBe(400);
    expect((await post('/admin/organisations', [1, 2])).statusCode).toBe(400);
    expect(
      (await post('/admin/users', { first_name: 'a', last_name: 'b', email_address: 'a@b.c' })).statusCode,
    ).toBe(400);
    expect(
      (
        await post('/admin/users', {
          first_name: 'a',
          last_name: 'b',
          email_address: 'not-email',
          active: true,
        })
      ).statusCode,
    ).toBe(400);
    const unknownOrg = await post('/admin/users', {
      org_id: 'missing',
      first_name: 'a',
      last_name: 'b',
      email_address: 'a@b.c',
      active: true,
    });
    expect(unknownOrg.statusCode).toBe(404);
    for (const url of ['/admin/organisations/missing', '/admin/users/missing']) {
      const r = await t.app.inject({ method: 'GET', url, headers: t.admin });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ Status: 'Error', Meta: null });
    }
    const del = await t.app.inject({ method: 'DELETE', url: '/admin/users/missing', headers: t.admin });
    expect(del.statusCode).toBe(404);
  });
});

describe.each(storesUnderTest())('dead-letter routes through the app ($name)', (backend) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp(await backend.open());
  });
  afterEach(() => t.close());

  it('403 without admin-auth, 400 in the envelope for bad paging or ids, 200 otherwise', async () => {
    expect((await t.app.inject({ url: '/admin/dead-letters' })).statusCode).toBe(403);
    for (const url of ['/admin/dead-letters?limit=0', '/admin/dead-letters?after=x']) {
      const r = await t.app.inject({ url, headers: t.admin });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ Status: 'Error', Meta: null });
      expect(r.json().Message).toMatch(/limit/);
    }
    const bad = await t.app.inject({
      method: 'POST',
      url: '/admin/dead-letters/redrive',
      headers: t.admin,
      payload: { ids: ['x'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ Status: 'Error', Meta: null });
    const ok = await t.app.inject({ url: '/admin/dead-letters', headers: t.admin });
    expect(ok.json()).toMatchObject({ Status: 'OK', Meta: { total: 0, dead_letters: [] } });
  });
});
