import type pg from 'pg';
import { retentionTargets } from '../columns.ts';
import type { RetentionCutoff } from '../store.ts';
import { quoteIdent } from './migrate.ts';
import type { PartitionManager } from './partition-manager.ts';
import { inTransaction } from './pg-client.ts';

/**
 * Retention on PostgreSQL: partitions that lie wholly below the cut-off are dropped (instant, no
 * dead tuples, no vacuum debt); rows of the partition that straddles it are deleted. One
 * transaction, tables in the same order as commits (hour, day, month), so it cannot deadlock
 * with them: the DROP waits for running commits, new commits wait for it.
 */
export async function applyPgRetention(
  pool: pg.Pool,
  partitions: PartitionManager,
  schema: string,
  cutoff: RetentionCutoff,
  batchIdsBeforeMs: number,
): Promise<{ dropped: string[] }> {
  return inTransaction(pool, async (client) => {
    // Every instance may run retention on its timer; one at a time is enough.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`keymeter:retention:${schema}`]);
    const dropped: string[] = [];
    for (const [table, below] of retentionTargets(cutoff)) {
      if (table !== 'agg_month') {
        for (const p of await partitions.list(client, table)) {
          if (p.to > below) continue;
          await client.query(`DROP TABLE IF EXISTS ${quoteIdent(p.name)}`);
          dropped.push(p.name);
        }
      }
      await client.query(`DELETE FROM ${table} WHERE bucket < $1`, [below]);
    }
    await client.query('DELETE FROM ingest_batch WHERE committed_at < $1', [batchIdsBeforeMs]);
    return { dropped };
  });
}
