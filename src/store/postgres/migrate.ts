import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { loadMigrations } from '../migrations.ts';
import { withClient } from './pg-client.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * Creates the schema if needed and applies pending migrations, each in its own transaction and
 * recorded in `schema_migration`. A session advisory lock keyed by the schema name serialises
 * instances that start at the same moment: the second waits, then finds nothing left to do.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  await withClient(pool, async (client) => {
    const lock = `keymeter:migrate:${schema}`;
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
    try {
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the database
      // even when the schema exists, and a DBA may have created it for a less privileged user.
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migration (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migration');
      const applied = new Set(done.rows.map((r) => r.version));
      for (const m of loadMigrations(MIGRATIONS_DIR)) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [
            m.version,
            m.name,
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`PostgreSQL migration ${m.version}_${m.name} failed: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
    } finally {
      // A dropped connection releases the lock by itself; only unlock on a live one.
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]).catch(() => undefined);
    }
  });
}

/** Quotes an identifier we validated ourselves (schema and partition names, never input). */
export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`invalid SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}
