import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { TEST_PG_URL } from './services.ts';

/** A schema of its own in the test database: hermetic without creating databases. */
export interface TestSchema {
  name: string;
  /** TEST_PG_URL pointing at this schema (`?schema=`), with an application_name to find its sessions. */
  url(applicationName?: string): string;
  open(options?: PostgresStoreOptions): Promise<Store>;
  /** Runs one statement on a separate admin connection (outside any store's pool). */
  admin<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export function testSchema(): TestSchema {
  const name = `km_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = (applicationName?: string): string => {
    const u = new URL(TEST_PG_URL);
    u.searchParams.set('schema', name);
    if (applicationName) u.searchParams.set('application_name', applicationName);
    return u.toString();
  };
  const admin = async <R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      return (await client.query<R>(sql, values)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    name,
    url,
    admin,
    open: (options) => openPostgresStore(url(), options),
    async drop() {
      await admin(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    },
  };
}

/** Opens a store in a fresh schema; closing it drops the schema. */
export async function openTestPgStore(options?: PostgresStoreOptions): Promise<Store> {
  const schema = testSchema();
  const store = await schema.open(options);
  return {
    ...store,
    async close() {
      await store.close();
      await schema.drop();
    },
  };
}
