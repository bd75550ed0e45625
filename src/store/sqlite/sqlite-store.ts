import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { mergeCodesJson } from '../codes-json.ts';
import {
  AGG_LEVELS,
  AGG_TABLES,
  mergeTotals,
  retentionTargets,
  rowParams,
  type TotalsRow,
} from '../columns.ts';
import { loadMigrations } from '../migrations.ts';
import { planTotals, rangeTotalsSql, type SqlDialect, upsertSql } from '../sql.ts';
import type {
  AggregateStore,
  CommitOptions,
  DeadLetter,
  EndpointQuery,
  EndpointTotals,
  RetentionCutoff,
  Store,
} from '../store.ts';
import { batchIdsOf, partlyCommitted } from '../store.ts';
import { SqliteAccounts } from './sqlite-accounts.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const dialect: SqlDialect = {
  placeholder: () => '?',
  leastNullable: (a, b) => `coalesce(min(${a}, ${b}), ${a}, ${b})`,
  least: (a, b) => `min(${a}, ${b})`,
  greatest: (a, b) => `max(${a}, ${b})`,
  mergeCodes: (a, b) => `km_merge_codes(${a}, ${b})`,
};

/** Opens (creating if needed) a SQLite database and applies pending migrations. */
export function openSqliteDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.function('km_merge_codes', { deterministic: true }, mergeCodesJson);
  const current = db.pragma('user_version', { simple: true }) as number;
  const migrate = db.transaction(() => {
    for (const m of loadMigrations(MIGRATIONS_DIR)) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  migrate.immediate();
  return db;
}

class SqliteAggregates implements AggregateStore {
  private readonly upserts;
  /** Seed-query statements by plan shape (which tables, with or without an org), prepared once. */
  private readonly totals = new Map<string, Database.Statement>();
  private readonly insertBatch;
  private readonly hasBatch;
  private readonly insertDeadLetter;
  private readonly deleteDeadLetter;
  private readonly commitTx;

  constructor(private readonly db: Database.Database) {
    this.upserts = Object.fromEntries(
      Object.entries(AGG_TABLES).map(([level, table]) => [level, db.prepare(upsertSql(table, dialect))]),
    ) as Record<keyof typeof AGG_TABLES, Database.Statement>;
    this.insertBatch = db.prepare('INSERT INTO ingest_batch (batch_id, committed_at) VALUES (?, ?)');
    this.hasBatch = db.prepare('SELECT 1 FROM ingest_batch WHERE batch_id = ?').pluck();
    this.insertDeadLetter = db.prepare(
      'INSERT INTO dead_letter (source, reason, payload, received_at) VALUES (?, ?, ?, ?)',
    );
    this.deleteDeadLetter = db.prepare('DELETE FROM dead_letter WHERE id = ?');
    this.commitTx = db.transaction((batch: Parameters<AggregateStore['commit']>[0], o: CommitOptions) => {
      const ids = batchIdsOf(o);
      const seen = ids.filter((id) => this.hasBatch.get(id) !== undefined).length;
      if (seen > 0 && seen === ids.length) return false;
      if (seen > 0) throw partlyCommitted(ids);
      const now = Date.now();
      for (const id of ids) this.insertBatch.run(id, now);
      // No sort by key here: SQLite has one writer at a time, so there is no lock order to keep.
      for (const level of AGG_LEVELS) {
        const stmt = this.upserts[level];
        for (const row of batch[level]) stmt.run(rowParams(row));
      }
      for (const dl of o.deadLetters ?? []) {
        this.insertDeadLetter.run(dl.source, dl.reason, Buffer.from(dl.payload), dl.receivedAtMs);
      }
      for (const id of o.resolveDeadLetterIds ?? []) this.deleteDeadLetter.run(id);
      return true;
    });
  }

  async commit(
    batch: Parameters<AggregateStore['commit']>[0],
    options: CommitOptions = {},
  ): Promise<boolean> {
    return this.commitTx.immediate(batch, options);
  }

  async isCommitted(batchId: string): Promise<boolean> {
    return this.hasBatch.get(batchId) !== undefined;
  }

  async queryEndpoints(q: EndpointQuery): Promise<EndpointTotals[]> {
    const { shape, tables, withOrg, params } = planTotals(q);
    let stmt = this.totals.get(shape);
    if (stmt === undefined) {
      stmt = this.db.prepare(rangeTotalsSql(tables, dialect, withOrg));
      this.totals.set(shape, stmt);
    }
    return mergeTotals(stmt.all(...params) as TotalsRow[]); // one statement: one snapshot
  }

  async applyRetention(cutoff: RetentionCutoff, batchIdsBeforeMs: number): Promise<void> {
    this.db.transaction(() => {
      for (const [table, below] of retentionTargets(cutoff)) {
        this.db.prepare(`DELETE FROM ${table} WHERE bucket < ?`).run(below);
      }
      this.db.prepare('DELETE FROM ingest_batch WHERE committed_at < ?').run(batchIdsBeforeMs);
    })();
  }

  async listDeadLetters(afterId: number, limit: number): Promise<DeadLetter[]> {
    const rows = this.db
      .prepare(
        'SELECT id, source, reason, payload, received_at FROM dead_letter WHERE id > ? ORDER BY id LIMIT ?',
      )
      .all(afterId, limit) as Array<{
      id: number;
      source: string;
      reason: string;
      payload: Buffer;
      received_at: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      source: r.source,
      reason: r.reason,
      payload: new Uint8Array(r.payload),
      receivedAtMs: r.received_at,
    }));
  }

  async countDeadLetters(): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM dead_letter').pluck().get() as number;
  }
}

/** The embedded store: one SQLite file (or `:memory:`), WAL mode, one writer at a time. */
export function openSqliteStore(file: string): Store {
  const db = openSqliteDatabase(file);
  return {
    kind: 'sqlite',
    aggregates: new SqliteAggregates(db),
    accounts: new SqliteAccounts(db),
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      db.close();
    },
  };
}
