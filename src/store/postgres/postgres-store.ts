import pg from 'pg';
import type { Store } from '../store.ts';
import { migrate, quoteIdent } from './migrate.ts';
import { PartitionManager } from './partition-manager.ts';
import { partitionsAhead } from './partitions.ts';
import { guardConnections } from './pg-client.ts';
import { PostgresAccounts } from './postgres-accounts.ts';
import { PostgresAggregates } from './postgres-aggregates.ts';

export interface PostgresStoreOptions {
  /** Schema holding keymeter's tables; also read from `?schema=` in the URL. Default `public`. */
  schema?: string;
  /** Pool size per instance; also `?pool_size=` in the URL. Default 10. */
  maxConnections?: number;
  /** Clock for batch-id timestamps and partitions created ahead (tests pin it). */
  now?: () => number;
  /** Errors of idle pooled connections (e.g. the server restarted); the pool replaces them. */
  onIdleError?: (err: Error) => void;
}

/**
 * Splits keymeter's own parameters off a postgres:// URL — `schema` and `pool_size` — and hands
 * the rest to pg (`sslmode`, `application_name`, `options`, … keep working).
 */
export function parsePostgresUrl(url: string): {
  connectionString: string;
  schema: string | undefined;
  poolSize: number | undefined;
  /** libpq `options` (e.g. `-c statement_timeout=5s`), passed on beside our search_path. */
  serverOptions: string | undefined;
} {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  const pool = u.searchParams.get('pool_size');
  const serverOptions = u.searchParams.get('options') ?? undefined;
  // `options` is taken off too: pg lets the URL's value replace ours, which would drop search_path.
  for (const name of ['schema', 'pool_size', 'options']) u.searchParams.delete(name);
  const poolSize = pool === null ? undefined : Number(pool);
  if (poolSize !== undefined && !(Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= 1000)) {
    throw new Error(`KEYMETER_STORE: pool_size=${JSON.stringify(pool)} must be an integer from 1 to 1000`);
  }
  return { connectionString: u.toString(), schema, poolSize, serverOptions };
}

/**
 * The PostgreSQL store: a connection pool, migrations applied under an advisory lock (several
 * instances may start together), partitions for the current and coming months created up front.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const parsed = parsePostgresUrl(url);
  const schema = options.schema ?? parsed.schema ?? 'public';
  const now = options.now ?? Date.now;
  const pool = new pg.Pool({
    connectionString: parsed.connectionString,
    max: options.maxConnections ?? parsed.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    options: [parsed.serverOptions, `-c search_path=${quoteIdent(schema)}`].filter(Boolean).join(' '),
  });
  // Without a listener an idle connection dropped by the server would crash the process.
  pool.on('error', options.onIdleError ?? (() => undefined));
  guardConnections(pool);
  try {
    await migrate(pool, schema);
    const partitions = new PartitionManager(pool, schema);
    await partitions.ensure(partitionsAhead(now()));
    return {
      kind: 'postgres',
      aggregates: new PostgresAggregates(pool, partitions, now),
      accounts: new PostgresAccounts(pool),
      async ping() {
        await pool.query('SELECT 1');
      },
      async close() {
        await pool.end();
      },
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
}
