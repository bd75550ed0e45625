/**
 * The keymeter side of bench/ingest.ts, in a process of its own so that its peak RSS is
 * keymeter's alone: drains BENCH_PREFIX into a SQLite file until SIGTERM, sampling RSS.
 * Prints `ready` once started and `peak-rss <bytes>` when stopped.
 */
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { TimeZone } from '../src/aggregate/time-zone.ts';
import { RedisDrainer } from '../src/ingest/redis/drainer.ts';
import { createIngestMetrics } from '../src/ops/metrics.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';

const store = openSqliteStore(process.env.BENCH_STORE ?? '');
const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peak && process.env.BENCH_DEBUG) console.error(JSON.stringify(m));
  peak = Math.max(peak, m.rss);
}, 20);
const drainer = new RedisDrainer({
  redis,
  store,
  prefix: process.env.BENCH_PREFIX ?? '',
  aggregate: { tz: new TimeZone('UTC'), trackAllPaths: true },
  metrics: createIngestMetrics(new Registry()),
  batchSize: Number(process.env.BENCH_BATCH ?? 10_000),
});
await redis.ping();
drainer.start();
process.stdout.write(`ready rss-at-start ${process.memoryUsage().rss}\n`);
process.once('SIGTERM', () => {
  void drainer.stop().then(async () => {
    clearInterval(sampler);
    await store.close();
    redis.disconnect();
    process.stdout.write(`peak-rss ${peak}\n`);
  });
});
