/**
 * End-to-end drain benchmark: Redis lists → decoded, aggregated, committed in SQLite.
 * Beside it, in the same run, a plain destructive pop of the same lists (what Tyk Pump does:
 * LRANGE + LTRIM, no decode, no write) is the ceiling. Usage: npm run bench:ingest
 *   BENCH_RECORDS (default 1_000_000), BENCH_BATCH (records per page, default 10_000),
 *   TEST_REDIS_URL (default redis://127.0.0.1:6379).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { gatewayLists } from '../src/ingest/redis/keys.ts';
import { measureDecode } from './ingest-decode.ts';
import { benchRecords } from './ingest-records.ts';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 10_000);
const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `kmbench-${randomBytes(4).toString('hex')}-`;
const lists = gatewayLists(prefix);
const pool = benchRecords(4_000);
const avgBytes = pool.reduce((s, b) => s + b.length, 0) / pool.length;

/** Pipelined RPUSH of N records round-robin over the 11 lists, before any timing. */
async function prefill(): Promise<void> {
  const CHUNK = 500;
  for (let done = 0, k = 0; done < N; ) {
    const pipe = redis.pipeline();
    for (let p = 0; p < 40 && done < N; p++, k++) {
      const n = Math.min(CHUNK, N - done);
      const values = Array.from({ length: n }, (_, i) => pool[(done + i) % pool.length] as Buffer);
      pipe.rpush(lists[k % lists.length] ?? '', ...values);
      done += n;
    }
    await pipe.exec();
  }
}

async function backlog(): Promise<number> {
  const lens = await Promise.all(lists.map((l) => redis.llen(l)));
  return lens.reduce((a, b) => a + b, 0) + (await redis.hlen(`keymeter:${prefix}:inflight`));
}

/** Runs the drain in a child keymeter process; returns rec/s and that process's peak RSS. */
async function endToEnd(): Promise<{ recPerSec: number; peakRss: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'keymeter-bench-'));
  await prefill();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      join(import.meta.dirname, 'ingest-drain-process.ts'),
    ],
    {
      env: {
        ...process.env,
        BENCH_STORE: join(dir, 'bench.db'),
        BENCH_PREFIX: prefix,
        BENCH_BATCH: String(BATCH),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  while ((await backlog()) > 0) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - t0) / 1000;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `keymeter process RSS at start: ${(Number(/rss-at-start (\d+)/.exec(out)?.[1]) / 1048576).toFixed(0)} MB`,
  );
  return { recPerSec: N / seconds, peakRss: Number(/peak-rss (\d+)/.exec(out)?.[1] ?? Number.NaN) };
}

/** Tyk Pump's read: LRANGE + LTRIM of a chunk per list, pipelined, entries dropped. */
async function rawPop(): Promise<number> {
  await prefill();
  const t0 = performance.now();
  let taken = 0;
  while (taken < N) {
    const pipe = redis.pipeline();
    for (const list of lists) {
      pipe.lrangeBuffer(list, 0, BATCH - 1);
      pipe.ltrim(list, BATCH, -1);
    }
    const replies = (await pipe.exec()) ?? [];
    for (let i = 0; i < replies.length; i += 2)
      taken += (replies[i]?.[1] as Buffer[] | undefined)?.length ?? 0;
  }
  return N / ((performance.now() - t0) / 1000);
}

console.log(
  `ingest bench: ${N} records of ${avgBytes.toFixed(0)} bytes over ${lists.length} lists, pages of ${BATCH}`,
);
const { recPerSec: e2e, peakRss } = await endToEnd();
const rss = peakRss / 1024 / 1024;
console.log(
  `end-to-end (Redis → committed in SQLite): ${Math.round(e2e)} rec/s, keymeter peak RSS ${rss.toFixed(0)} MB`,
);
const raw = await rawPop();
console.log(`baseline raw destructive pop (LRANGE+LTRIM, no decode): ${Math.round(raw)} rec/s`);
console.log(`ratio: ${((100 * e2e) / raw).toFixed(1)}% of raw pop`);
const m = await measureDecode();
const decode = { fastRecPerSec: m.fast.recordsPerSec, ratio: m.ratio };
console.log(
  `decode+aggregate (measureDecode, bench/ingest-decode.ts): fast ${Math.round(m.fast.recordsPerSec)} rec/s/core, ` +
    `msgpackr ${Math.round(m.baseline.recordsPerSec)} rec/s/core`,
);
for (const k of await redis.keys(`*${prefix}*`)) await redis.del(k);
redis.disconnect();
console.log(
  `ingest: decode+aggregate ${Math.round(decode.fastRecPerSec)} rec/s/core (${decode.ratio.toFixed(2)}× msgpackr); ` +
    `end-to-end ${Math.round(e2e)} rec/s (${((100 * e2e) / raw).toFixed(0)}% of raw pop); peak RSS ${rss.toFixed(0)} MB`,
);
