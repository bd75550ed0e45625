import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { expectedRow } from '../helpers/records.ts';
import { serviceAvailable, TEST_REDIS_URL } from '../helpers/services.ts';
import {
  cleanupPrefix,
  connectRedis,
  drained,
  makeRecords,
  pushRecords,
  uniquePrefix,
  waitFor,
} from './drain-helpers.ts';

const up = await serviceAvailable('Redis', TEST_REDIS_URL);
const SECRET = 'process-test-admin-secret-0123';

describe.skipIf(!up)('keymeter with KEYMETER_REDIS_URL', () => {
  let redis: Redis;
  let dir: string;
  const prefix = uniquePrefix();
  beforeAll(() => {
    redis = connectRedis();
    dir = mkdtempSync(join(tmpdir(), 'keymeter-proc-'));
  });
  afterAll(async () => {
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drains the gateway lists: records answer through the API, ops routes work, SIGTERM exits cleanly', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        KEYMETER_PORT: '0',
        KEYMETER_STORE: `sqlite:${join(dir, 'keymeter.db')}`,
        KEYMETER_REDIS_URL: TEST_REDIS_URL,
        KEYMETER_REDIS_KEY_PREFIX: prefix,
        KEYMETER_ADMIN_SECRET: SECRET,
        KEYMETER_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const exit = new Promise<number | null>((r) => child.once('exit', r));
    // A failed assertion must not leave keymeter running: SIGKILL it unless it exited.
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    await waitFor(() => /listening on http:\/\/[\d.]+:\d+/.test(out));
    const base = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1] ?? '';
    const admin = { 'admin-auth': SECRET, 'content-type': 'application/json' };
    await fetch(`${base}/admin/organisations`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ owner_name: 'A', id: 'org-a' }),
    });
    const user = await fetch(`${base}/admin/users`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        org_id: 'org-a',
        first_name: 'a',
        last_name: 'b',
        email_address: 'a@b.c',
        active: true,
      }),
    });
    const accessKey = ((await user.json()) as { Message: string }).Message;

    const records = makeRecords(2_000, 11);
    await pushRecords(redis, prefix, records);
    const mine = records.filter((r) => r.apiKey === 'key-1');
    const want = expectedRow(mine.filter((r) => r.apiId === 'api-0' && r.path === '/p0'));
    let row: Record<string, unknown> | undefined;
    await waitFor(async () => {
      const res = await fetch(`${base}/api/activity/keys/endpoint/key-1/10/3/2024/10/3/2024?p=-1`, {
        headers: { authorization: accessKey },
      });
      const data = ((await res.json()) as { data: Array<{ id: { api_id: string; path: string } }> }).data;
      row = data.find((d) => d.id.api_id === 'api-0' && d.id.path === '/p0');
      return (row?.hits as number | undefined) === want.hits;
    });
    expect(row).toMatchObject({
      hits: want.hits,
      success: want.success,
      error: want.error,
      max_latency: want.maxLatency,
      min_latency: want.minLatency,
    });
    expect(row?.latency).toBeCloseTo(want.latency, 9);

    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    await waitFor(() => drained(redis, prefix));
    let metrics = '';
    await waitFor(async () => {
      metrics = await (await fetch(`${base}/metrics`)).text();
      return metrics.includes(`keymeter_redis_list_backlog{list="${prefix}tyk-system-analytics"} 0`);
    });
    expect(metrics).toContain('keymeter_records_accepted_total{source="redis"} 2000');
    expect(metrics).toContain('process_resident_memory_bytes');

    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(await redis.hlen(`keymeter:${prefix}:inflight`)).toBe(0);
  });
});
