import type pg from 'pg';

const ignore = (): void => undefined;

/**
 * The server may drop a connection at any moment (restart, pg_terminate_backend), also while we
 * hold it or just after we gave it back: the client then emits 'error', which must have a
 * listener or it would crash the process. The failure reaches the caller as a rejected query.
 */
export function guardConnections(pool: pg.Pool): void {
  pool.on('connect', (client) => client.on('error', ignore));
}

/**
 * Runs `fn` on a pooled client. After any failure the client is destroyed rather than returned
 * (it may be dead or mid-transaction); the pool opens a fresh one on the next checkout.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed = true;
  try {
    const result = await fn(client);
    failed = false;
    return result;
  } finally {
    client.release(failed);
  }
}

/** Runs `fn` in one transaction: commit on success; on any failure roll back and throw. */
export function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(ignore);
      throw err;
    }
  });
}
