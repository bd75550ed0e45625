/**
 * npm run bench:query — the seed query on a realistic data set, on each store, against the raw
 * GROUP BY a Tyk SQL user runs, plus ingest rate and HTTP throughput. Sizes: BENCH_* (see below);
 * BENCH_STORES=sqlite,postgres picks stores, BENCH_PG_URL the server, BENCH_KEEP=1 keeps the PG schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { planRange } from '../src/aggregate/buckets.ts';
import { TimeZone } from '../src/aggregate/time-zone.ts';
import { buildReport } from '../src/api/endpoint-report.ts';
import { mergeTotals } from '../src/store/columns.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { BUSY_KEY, type DataSet, dayBatch, percentile, rowsIn } from './query-data.ts';
import { measureHttp } from './query-http.ts';
import { buildPostgresRaw, buildSqliteRaw, type RawQuery } from './query-raw.ts';

const int = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const UTC = new TimeZone('UTC');
const DAY = 86_400_000;
const data: DataSet = {
  orgId: 'org-bench',
  startMs: Date.UTC(2024, 0, 1),
  days: int('BENCH_DAYS', 366),
  endpoints: int('BENCH_ENDPOINTS', 200),
  keys: int('BENCH_KEYS', 10_000),
  perHour: int('BENCH_RAW_PER_HOUR', 1),
};
const QUERIES = int('BENCH_QUERIES', 200);
const RAW_QUERIES = int('BENCH_RAW_QUERIES', 5);
const HTTP_SECONDS = int('BENCH_HTTP_SECONDS', 5);
const PG_URL =
  process.env.BENCH_PG_URL ?? process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',');

type Window = [number, number];
const firstDay = data.startMs / DAY;
// Not aligned to months or weeks, so answers combine agg_day ends with agg_week and agg_month middles.
const windows31: Window[] = Array.from({ length: 8 }, (_, i) => {
  const s = firstDay + 9 + ((i * 37) % Math.max(1, data.days - 40));
  return [s, s + 30];
});
const windows366: Window[] = Array.from({ length: 5 }, (_, i) => [firstDay + i * 3, firstDay + i * 3 + 365]);

async function timeEach(
  n: number,
  warmUps: number,
  windows: Window[],
  run: (w: Window) => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < warmUps; i++) await run(windows[i % windows.length] as Window);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run(windows[i % windows.length] as Window);
    times.push(performance.now() - t);
  }
  return times;
}

interface Opened {
  store: Store;
  raw: () => Promise<RawQuery>;
  analyze: () => Promise<void>;
  cleanup: () => Promise<void>;
}

async function open(kind: string): Promise<Opened> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'keymeter-bench-'));
    const store = openSqliteStore(join(dir, 'keymeter.db'));
    const rawDb = new Database(join(dir, 'raw.db'));
    rawDb.pragma('journal_mode = WAL');
    return {
      store,
      raw: async () => buildSqliteRaw(rawDb, data),
      analyze: async () => undefined, // SQLite plans these queries from the primary key alone
      cleanup: async () => {
        rawDb.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `km_bench_${process.pid}`;
  const store = await openPostgresStore(PG_URL, { schema });
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
  return {
    store,
    raw: () => buildPostgresRaw(pool, data),
    analyze: async () => void (await pool.query('ANALYZE')),
    cleanup: async () => {
      if (process.env.BENCH_KEEP) console.log(`[postgres] BENCH_KEEP: schema ${schema} kept`);
      else await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    },
  };
}

const ms = (v: number): string => v.toFixed(v < 10 ? 2 : 1);
const summaries: string[] = [];
console.log(
  `data set: ${data.keys} background keys; busy key + OAuth client on ${data.endpoints} endpoints every hour for ` +
    `${data.days} days; raw baseline = the busy key's ${(data.days * 24 * data.endpoints * data.perHour).toLocaleString('en')} records (${data.perHour}/endpoint/hour)`,
);

for (const kind of STORES) {
  const o = await open(kind);
  try {
    let rows = 0;
    let commitMs = 0;
    let clientCpuMs = 0;
    for (let day = 0; day < data.days; day++) {
      const batch = dayBatch(data, day, UTC);
      rows += rowsIn(batch);
      const t = performance.now();
      const cpu = process.cpuUsage();
      await o.store.aggregates.commit(batch, { batchId: `day-${day}` });
      commitMs += performance.now() - t;
      const used = process.cpuUsage(cpu);
      clientCpuMs += (used.user + used.system) / 1000;
    }
    console.log(
      `[${kind}] ingest: ${data.days} batches, ${rows.toLocaleString('en')} rows upserted in ${(commitMs / 1000).toFixed(1)} s = ${Math.round(rows / (commitMs / 1000)).toLocaleString('en')} rows/s (keymeter process CPU ${(clientCpuMs / 1000).toFixed(1)} s)`,
    );
    await o.analyze();
    const t = performance.now();
    const raw = await o.raw();
    console.log(`[${kind}] raw table built in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const aggReport = async ([s, e]: Window, page = 1) =>
      buildReport(
        await o.store.aggregates.queryEndpoints({
          orgId: data.orgId,
          kind: 'key',
          subject: BUSY_KEY,
          startDay: s,
          endDay: e,
        }),
        page,
        10,
        UTC,
      );
    const rawReport = async ([s, e]: Window, page = 1) =>
      buildReport(mergeTotals(await raw(s * DAY, (e + 1) * DAY)), page, 10, UTC);

    let ratio = 0;
    const p95: Record<string, number> = {};
    for (const [label, windows] of [
      ['31d', windows31],
      ['366d', windows366],
    ] as const) {
      const buckets = windows.map(([ws, we]) => planRange(ws, we).reduce((n, p) => n + p.to - p.from + 1, 0));
      console.log(
        `[${kind}] ${label} windows read ${buckets.join(', ')} buckets (day/week/month rows) per endpoint`,
      );
      const same =
        JSON.stringify(await aggReport(windows[0] as Window, 0)) ===
        JSON.stringify(await rawReport(windows[0] as Window, 0));
      const agg = await timeEach(QUERIES, 10, windows, (w) => aggReport(w));
      const base = await timeEach(RAW_QUERIES, 1, windows, (w) => rawReport(w));
      const r = percentile(base, 50) / percentile(agg, 50);
      p95[label] = percentile(agg, 95);
      if (label === '366d') ratio = r;
      console.log(
        `[${kind}] ${label}: aggregates p50 ${ms(percentile(agg, 50))} ms p95 ${ms(percentile(agg, 95))} ms (${QUERIES} queries) | ` +
          `raw GROUP BY p50 ${ms(percentile(base, 50))} ms p95 ${ms(percentile(base, 95))} ms (${RAW_QUERIES}) | ${Math.round(r)}× | same answer: ${same ? 'yes' : 'NO'}`,
      );
    }

    let rps = 'not measured';
    if (HTTP_SECONDS > 0) {
      const [s] = windows31[0] as Window;
      const d0 = new Date(s * DAY);
      const d1 = new Date((s + 30) * DAY);
      const date = (d: Date) => `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`;
      const h = await measureHttp(
        o.store,
        data.orgId,
        UTC,
        `/api/activity/keys/endpoint/${BUSY_KEY}/${date(d0)}/${date(d1)}`,
        {
          seconds: HTTP_SECONDS,
          connections: 10,
        },
      );
      rps = `${Math.round(h.requestsPerSecond)} req/s`;
      console.log(
        `[${kind}] HTTP 31d seed endpoint, 10 connections, ${HTTP_SECONDS} s: ${Math.round(h.requestsPerSecond)} req/s, latency p50 ${h.p50Ms} ms p99 ${h.p99Ms} ms, non-2xx ${h.non2xx}`,
      );
    }
    summaries.push(
      `query[${kind}]: 31d p95 ${ms(p95['31d'] ?? Number.NaN)} ms, 366d p95 ${ms(p95['366d'] ?? Number.NaN)} ms, ${Math.round(ratio)}× raw GROUP BY, ${rps}`,
    );
  } finally {
    await o.store.close();
    await o.cleanup();
  }
}
for (const line of summaries) console.log(line);
