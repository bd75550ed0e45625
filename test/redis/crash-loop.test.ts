import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayLists } from '../../src/ingest/redis/keys.ts';
import { encodeGatewayRecord } from '../../src/record/gateway-encoder.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { serviceAvailable, TEST_REDIS_URL } from '../helpers/services.ts';
import {
  cleanupPrefix,
  connectRedis,
  drained,
  expectExactTotals,
  makeRecords,
  pushRecords,
  testDrainer,
  totalHits,
  uniquePrefix,
  waitFor,
} from './drain-helpers.ts';

const up = await serviceAvailable('Redis', TEST_REDIS_URL);
const KILLS = 21;
const PER_KILL = 1_000;
const CHILD = join(import.meta.dirname, '../fixtures/drain-child.ts');

/** Starts a child drain process; resolves once it prints `ready`. */
/** Every child started, so that a failing test never leaves one running. */
const children: ChildProcess[] = [];

function startChild(env: Record<string, string>): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const output: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => output.push(...d.split('\n').filter(Boolean)));
  return { child, output };
}

/** Waits until `f` holds or the child exits; gives up after 15 s rather than hang the suite. */
const until = async (f: () => boolean, exited: () => boolean) => {
  const deadline = Date.now() + 15_000;
  while (!f() && !exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
};

describe.skipIf(!up)('crash loop', () => {
  let redis: Redis;
  let dir: string;
  const prefix = uniquePrefix();
  beforeAll(() => {
    redis = connectRedis();
    dir = mkdtempSync(join(tmpdir(), 'keymeter-crash-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILLed at random moments and mid-commit, 21 times: every record counted exactly once', async () => {
    const file = join(dir, 'store.db');
    const records = makeRecords(KILLS * PER_KILL, 42);
    const env = { KM_CHILD_STORE: file, KM_CHILD_REDIS: TEST_REDIS_URL, KM_CHILD_PREFIX: prefix };
    let midCommitKills = 0;
    const launch = (kill: number) => {
      // Every third one commits a page at a time and pauses after each commit, so that kills land
      // between a page's commit and its progress being recorded, with pages of its claim unread.
      const slow = { ...env, KM_CHILD_PAUSE_MS: '300', KM_CHILD_GROUP: '300' };
      const started = startChild(kill % 3 === 0 ? slow : env);
      const state = { ...started, exited: false, exit: Promise.resolve() };
      state.exit = new Promise((r) => started.child.once('exit', r)).then(() => {
        state.exited = true;
      });
      return state;
    };
    // The next instance starts while the current one runs (as in a rolling restart): startup cost
    // overlaps, and two instances drain side by side between kills.
    let next = launch(0);
    for (let kill = 0; kill < KILLS; kill++) {
      const cur = next;
      await pushRecords(redis, prefix, records.slice(kill * PER_KILL, (kill + 1) * PER_KILL));
      await until(
        () => cur.output.includes('ready'),
        () => cur.exited,
      );
      next = launch(kill + 1);
      if (kill % 3 === 0) {
        // Killed after a commit and before its in-flight delete: the replay must be skipped.
        await until(
          () => cur.output.includes('C'),
          () => cur.exited,
        );
        if (cur.output.includes('C') && !cur.exited) midCommitKills++;
      } else {
        await new Promise((r) => setTimeout(r, Math.random() * 400));
      }
      cur.child.kill('SIGKILL');
      await cur.exit;
    }
    next.child.kill('SIGKILL');
    await next.exit;
    expect(midCommitKills).toBeGreaterThanOrEqual(6);
    // Recovery: one more instance adopts what the dead ones left and drains the rest.
    const store = openSqliteStore(file);
    const drainer = testDrainer(redis, store, prefix, { leaseMs: 600 });
    drainer.start();
    await waitFor(() => drained(redis, prefix), 30_000);
    await drainer.stop();
    await expectExactTotals(store, records);
    await store.close();
  }, 90_000);

  it('SIGTERM finishes the claim in hand, every page of it, and exits cleanly', async () => {
    const p = uniquePrefix();
    const file = join(dir, 'term.db');
    // One long list: the first claim takes 10 pages of 300 of it, committed 2 pages at a time, so
    // SIGTERM (during the pause after the first commit) lands with 8 pages of the claim unread.
    const [base = ''] = gatewayLists(p);
    await redis.rpush(base, ...makeRecords(5_000, 9).map((r) => encodeGatewayRecord(r)));
    const { child, output } = startChild({
      KM_CHILD_STORE: file,
      KM_CHILD_REDIS: TEST_REDIS_URL,
      KM_CHILD_PREFIX: p,
      KM_CHILD_PAUSE_MS: '200',
      KM_CHILD_GROUP: '600',
    });
    const exit = new Promise<number | null>((r) => child.once('exit', r));
    await until(
      () => output.includes('C'),
      () => false,
    );
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output).toContain('stopped');
    // Nothing left half-done: no claim in flight; whatever left the list is committed.
    expect(await redis.hlen(`keymeter:${p}:inflight`)).toBe(0);
    const left = await redis.llen(base);
    expect(left).toBeLessThan(5_000);
    const store = openSqliteStore(file);
    expect(await totalHits(store)).toBe(5_000 - left);
    await store.close();
    await cleanupPrefix(redis, p);
  }, 30_000);
});
