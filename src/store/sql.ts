import { planRange } from '../aggregate/buckets.ts';
import { AGG_COLUMNS, AGG_TABLES, type AggregateTableName } from './columns.ts';
import type { EndpointQuery } from './store.ts';

/** What differs between the SQL dialects in the upsert that merges counters. */
export interface SqlDialect {
  /** n-th (1-based) bind placeholder. */
  placeholder(n: number): string;
  /** Smaller of two nullable values, null only when both are null. */
  leastNullable(a: string, b: string): string;
  least(a: string, b: string): string;
  greatest(a: string, b: string): string;
  /** Adds two response-code maps. */
  mergeCodes(a: string, b: string): string;
}

const KEY_COLUMNS = new Set(['kind', 'subject', 'org_id', 'bucket', 'api_id', 'path', 'method']);

/**
 * The counter algebra as one SQL upsert. A conflicting row is merged, never overwritten:
 * sums add, max/min combine, last_hit and its api_name move forward only.
 */
export function upsertSql(table: AggregateTableName, d: SqlDialect, rows = 1): string {
  const t = (c: string): string => `${table}.${c}`;
  const x = (c: string): string => `excluded.${c}`;
  const set: Record<string, string> = {
    api_name: `CASE WHEN ${x('last_hit')} > ${t('last_hit')} OR (${x('last_hit')} = ${t('last_hit')} AND ${x('api_name')} > ${t('api_name')}) THEN ${x('api_name')} ELSE ${t('api_name')} END`,
    last_hit: d.greatest(t('last_hit'), x('last_hit')),
    max_latency: d.greatest(t('max_latency'), x('max_latency')),
    max_upstream: d.greatest(t('max_upstream'), x('max_upstream')),
    min_latency_ok: d.leastNullable(t('min_latency_ok'), x('min_latency_ok')),
    min_upstream_ok: d.leastNullable(t('min_upstream_ok'), x('min_upstream_ok')),
    min_latency_all: d.least(t('min_latency_all'), x('min_latency_all')),
    min_upstream_all: d.least(t('min_upstream_all'), x('min_upstream_all')),
    codes: d.mergeCodes(t('codes'), x('codes')),
  };
  const assignments = AGG_COLUMNS.filter((c) => !KEY_COLUMNS.has(c)).map(
    (c) => `${c} = ${set[c] ?? `${t(c)} + ${x(c)}`}`,
  );
  const width = AGG_COLUMNS.length;
  const values = Array.from(
    { length: rows },
    (_, r) => `(${AGG_COLUMNS.map((_c, i) => d.placeholder(r * width + i + 1)).join(', ')})`,
  ).join(',\n');
  return `INSERT INTO ${table} (${AGG_COLUMNS.join(', ')}) VALUES ${values}
ON CONFLICT (${[...KEY_COLUMNS].join(', ')}) DO UPDATE SET ${assignments.join(',\n  ')}`;
}

/** The columns the seed query reads: every counter but the response-code map (never read back). */
const TOTALS_COLUMNS = AGG_COLUMNS.filter((c) => !KEY_COLUMNS.has(c) && c !== 'codes');

const AGGREGATE_OF: Record<string, string> = {
  max_latency: 'max',
  max_upstream: 'max',
  min_latency_ok: 'min',
  min_upstream_ok: 'min',
  min_latency_all: 'min',
  min_upstream_all: 'min',
  last_hit: 'max',
};

/**
 * Totals per (api_id, path, api_name) over several bucket ranges, each of its own table (the
 * segments of a range plan), as ONE statement: one snapshot, one round trip, one GROUP BY over
 * every segment's rows. Parameters per segment: kind, subject, [org_id,] from, to. The caller
 * merges api_names of one endpoint in code (the latest hit's name wins).
 */
export function rangeTotalsSql(tables: AggregateTableName[], d: SqlDialect, withOrg: boolean): string {
  const width = withOrg ? 5 : 4;
  const counters = TOTALS_COLUMNS.filter((c) => c !== 'api_name');
  const segments = tables.map((table, i) => {
    const p = (k: number): string => d.placeholder(i * width + k + 1);
    const org = withOrg ? `org_id = ${p(2)} AND ` : '';
    return `SELECT api_id, path, api_name, ${counters.join(', ')} FROM ${table}
  WHERE kind = ${p(0)} AND subject = ${p(1)} AND ${org}bucket BETWEEN ${p(width - 2)} AND ${p(width - 1)}`;
  });
  const totals = counters.map((c) => `${AGGREGATE_OF[c] ?? 'sum'}(${c}) AS ${c}`);
  return `SELECT api_id, path, api_name, ${totals.join(', ')}
FROM (${segments.join('\nUNION ALL\n')}) AS segment
GROUP BY api_id, path, api_name`;
}

/** A seed query planned over the roll-ups: the statement's shape (its cache key), tables and parameters. */
export interface PlannedTotals {
  shape: string;
  tables: AggregateTableName[];
  withOrg: boolean;
  params: Array<string | number>;
}

/** Plans a seed query (see `planRange`) into the inputs of `rangeTotalsSql`. */
export function planTotals(q: EndpointQuery): PlannedTotals {
  const plan = planRange(q.startDay, q.endDay);
  const withOrg = q.orgId !== null;
  return {
    shape: `${plan.map((s) => s.level[0]).join('')}_${withOrg ? 'org' : 'all'}`,
    tables: plan.map((s) => AGG_TABLES[s.level]),
    withOrg,
    params: plan.flatMap((s) =>
      q.orgId !== null ? [q.kind, q.subject, q.orgId, s.from, s.to] : [q.kind, q.subject, s.from, s.to],
    ),
  };
}
