import type pg from 'pg';

/**
 * Runs `fn` in one transaction on a pooled client. Any failure rolls back and throws; the client
 * is then destroyed rather than returned, because after a dropped connection or an aborted
 * transaction it cannot be trusted — the pool opens a fresh one on the next checkout.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(true);
    throw err;
  }
}
