import type pg from 'pg';
import { quoteIdent } from './migrate.ts';
import { type Partition, type PartitionedTable, partitionFromName } from './partitions.ts';
import { inTransaction } from './pg-client.ts';

/** Fill factor of aggregate partitions: room for HOT updates, as rows are merged into in place. */
const FILLFACTOR = 85;

/**
 * Creates range partitions on demand and remembers which exist. Creation runs in its own short
 * transaction under an advisory lock, outside any commit, so instances racing to create the same
 * partition serialise and the loser's `IF NOT EXISTS` finds it there.
 */
export class PartitionManager {
  private known = new Set<string>();

  constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  /** Creates whichever of `parts` are not known to exist. */
  async ensure(parts: Iterable<Partition>): Promise<void> {
    const missing = [...parts].filter((p) => !this.known.has(p.name));
    if (missing.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`keymeter:partition:${this.schema}`]);
      for (const p of missing) {
        // Bounds are integers we computed; DDL cannot take bind parameters.
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${quoteIdent(p.name)} PARTITION OF ${p.table}
           FOR VALUES FROM (${Math.trunc(p.from)}) TO (${Math.trunc(p.to)}) WITH (fillfactor = ${FILLFACTOR})`,
        );
      }
    });
    for (const p of missing) this.known.add(p.name);
  }

  /** Forgets what it knew (another instance's retention may have dropped a partition). */
  forget(): void {
    this.known = new Set();
  }

  /** Partitions that exist now, read from the catalogue, for retention. */
  async list(client: pg.ClientBase, table: PartitionedTable): Promise<Partition[]> {
    const r = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = $1::regclass`,
      [table],
    );
    return r.rows.flatMap((row) => partitionFromName(row.name) ?? []);
  }
}

/** PostgreSQL's "no partition of relation … found for row". */
export function isMissingPartition(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === '23514' && /no partition of relation/.test(e.message ?? '');
}
