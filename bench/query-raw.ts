import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { TotalsRow } from '../src/store/columns.ts';
import { apiOf, BUSY_CLIENT, BUSY_KEY, busyRecord, type DataSet, pathOf } from './query-data.ts';

/**
 * The baseline: what a Tyk SQL-pump user without aggregates runs — one row per record, one
 * index on (api_key, ts), and GROUP BY api_id, path over the range, computed at query time.
 */
const CREATE = `CREATE TABLE raw_records (
  org_id text NOT NULL, api_key text NOT NULL, oauth_id text NOT NULL, api_id text NOT NULL,
  api_name text NOT NULL, path text NOT NULL, method text NOT NULL, response_code integer NOT NULL,
  request_time bigint NOT NULL, latency bigint NOT NULL, upstream bigint NOT NULL, ts bigint NOT NULL)`;
const INDEX = 'CREATE INDEX raw_records_key_ts ON raw_records (api_key, ts)';

const groupBy = (p: (n: number) => string): string => `SELECT api_id, path, count(*) AS hits,
  sum(CASE WHEN response_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS success,
  sum(CASE WHEN response_code >= 400 THEN 1 ELSE 0 END) AS error,
  sum(request_time) AS sum_request_time, sum(latency) AS sum_latency, sum(upstream) AS sum_upstream,
  max(latency) AS max_latency, max(upstream) AS max_upstream,
  min(CASE WHEN response_code < 400 THEN latency END) AS min_latency_ok,
  min(CASE WHEN response_code < 400 THEN upstream END) AS min_upstream_ok,
  min(latency) AS min_latency_all, min(upstream) AS min_upstream_all, max(ts) AS last_hit, max(api_name) AS api_name
FROM raw_records WHERE org_id = ${p(1)} AND api_key = ${p(2)} AND ts >= ${p(3)} AND ts < ${p(4)}
GROUP BY api_id, path`;

/** Runs the GROUP BY for one key over [fromMs, toMs). */
export type RawQuery = (fromMs: number, toMs: number) => Promise<TotalsRow[]>;

export function buildSqliteRaw(db: Database.Database, d: DataSet): RawQuery {
  db.exec('DROP TABLE IF EXISTS raw_records');
  db.exec(CREATE);
  const insert = db.prepare('INSERT INTO raw_records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let k = 0; k < d.days * 24; k++) {
      for (let e = 0; e < d.endpoints; e++) {
        for (let r = 0; r < d.perHour; r++) {
          const s = busyRecord(d, e, k, r);
          insert.run(
            d.orgId,
            BUSY_KEY,
            BUSY_CLIENT,
            apiOf(e),
            s.apiName,
            pathOf(e),
            'GET',
            s.responseCode,
            s.requestTime,
            s.latencyTotal,
            s.latencyUpstream,
            s.timestampMs,
          );
        }
      }
    }
  })();
  db.exec(INDEX);
  db.exec('ANALYZE');
  const stmt = db.prepare(groupBy(() => '?'));
  return async (from, to) => stmt.all(d.orgId, BUSY_KEY, from, to) as TotalsRow[];
}

/** Same rows as busyRecord(), generated inside PostgreSQL (moving 10^6 rows through the driver would dominate). */
export async function buildPostgresRaw(pool: pg.Pool, d: DataSet): Promise<RawQuery> {
  await pool.query('DROP TABLE IF EXISTS raw_records');
  await pool.query(CREATE);
  await pool.query(
    `INSERT INTO raw_records
     SELECT $1, $2, $3, 'api-' || (e % 20), 'API ' || (e % 20), '/v1/resource-' || e, 'GET',
       CASE WHEN (e + k + r) % 25 = 0 THEN 500 ELSE 200 END,
       lat + 1, lat, lat - 1 - (e + r) % 4,
       $4::bigint + k::bigint * 3600000 + ((r * 997 + e * 61) % 3600) * 1000
     FROM generate_series(0, $5::int - 1) AS e, generate_series(0, $6::int - 1) AS k,
       generate_series(0, $7::int - 1) AS r,
       LATERAL (SELECT 5 + (e * 7 + k * 13 + r * 29) % 400 AS lat) AS l`,
    [d.orgId, BUSY_KEY, BUSY_CLIENT, d.startMs, d.endpoints, d.days * 24, d.perHour],
  );
  await pool.query(INDEX);
  await pool.query('VACUUM ANALYZE raw_records');
  const text = groupBy((n) => `$${n}`);
  return async (from, to) =>
    (await pool.query<TotalsRow>({ name: 'raw_group_by', text, values: [d.orgId, BUSY_KEY, from, to] })).rows;
}
