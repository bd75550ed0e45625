import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { type AggregateBatch, aggregateBatch } from '../src/aggregate/aggregate.ts';
import { TimeZone } from '../src/aggregate/time-zone.ts';
import type { AnalyticsRecord } from '../src/record/record.ts';
import { AGG_COLUMNS, AGG_TABLES, rowParams } from '../src/store/columns.ts';
import { loadMigrations } from '../src/store/migrations.ts';
import { partitionsFor, weekPartition } from '../src/store/postgres/partitions.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { type TestSchema, testSchema } from './helpers/pg.ts';
import { rec } from './helpers/records.ts';
import { serviceAvailable, TEST_PG_URL } from './helpers/services.ts';

const pgUp = await serviceAvailable('PostgreSQL', TEST_PG_URL);
const KOLKATA = new TimeZone('Asia/Kolkata');
const migrationsOf = (store: string) =>
  loadMigrations(new URL(`../src/store/${store}/migrations/`, import.meta.url).pathname);

/** Traffic over seven weeks across New Year: two subjects, methods, errors, names changing mid-week. */
function records(): AnalyticsRecord[] {
  const out: AnalyticsRecord[] = [];
  for (let t = Date.UTC(2024, 11, 10), i = 0; t < Date.UTC(2025, 0, 28); t += 173 * 60_000, i++) {
    out.push(
      rec({
        apiKey: i % 5 === 0 ? 'key-2' : 'key-1',
        method: i % 3 === 0 ? 'POST' : 'GET',
        path: i % 4 === 0 ? '/post' : '/get',
        timestampMs: t,
        responseCode: [200, 201, 404, 500, 302][i % 5] ?? 200,
        latencyTotal: 10 + ((i * 37) % 101),
        latencyUpstream: 5 + ((i * 53) % 97),
        requestTime: 11 + ((i * 17) % 89),
        apiName: `name-${Math.floor(i / 23) % 3}`,
      }),
    );
  }
  return out;
}

/** The v1 tables' rows of a batch (no weeks: migration 001 had none), as one INSERT per row. */
function v1Inserts(batch: AggregateBatch, placeholder: (n: number) => string) {
  const levels = ['hours', 'days', 'months'] as const;
  return levels.flatMap((level) =>
    batch[level].map((row) => ({
      text: `INSERT INTO ${AGG_TABLES[level]} (${AGG_COLUMNS.join(', ')}) VALUES (${AGG_COLUMNS.map((_c, i) => placeholder(i + 1)).join(', ')})`,
      values: rowParams(row),
    })),
  );
}

interface WeekRow {
  [column: string]: unknown;
  codes: unknown;
}

/** Week rows in key order, integers as numbers and codes as parsed maps (compared as values). */
const normalise = (rows: WeekRow[]) =>
  rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r))
      out[k] = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    out.codes = typeof r.codes === 'string' ? JSON.parse(r.codes) : r.codes;
    return out;
  });
const WEEK_ROWS = `SELECT * FROM agg_week ORDER BY kind, subject, org_id, bucket, api_id, path, method`;

async function totalsOf(store: Store) {
  const q = { orgId: 'org-a', kind: 'key' as const, startDay: 20_000, endDay: 20_200 };
  return [
    await store.aggregates.queryEndpoints({ ...q, subject: 'key-1' }),
    await store.aggregates.queryEndpoints({ ...q, subject: 'key-2', startDay: 20_080, endDay: 20_113 }),
  ];
}

describe('migration 002 back-fills weekly rows from day rows', () => {
  const batch = aggregateBatch(records(), { tz: KOLKATA, trackAllPaths: true });

  it('on SQLite: the same week rows and answers as a store that rolled weeks up at ingest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keymeter-backfill-'));
    const old = new Database(join(dir, 'v1.db'));
    old.exec(migrationsOf('sqlite')[0]?.sql ?? '');
    old.pragma('user_version = 1');
    for (const { text, values } of v1Inserts(batch, () => '?')) old.prepare(text).run(values);
    old.close();

    const upgraded = openSqliteStore(join(dir, 'v1.db'));
    const fresh = openSqliteStore(join(dir, 'fresh.db'));
    await fresh.aggregates.commit(batch);
    expect(await totalsOf(upgraded)).toEqual(await totalsOf(fresh));
    await Promise.all([upgraded.close(), fresh.close()]);

    const weekRows = (file: string) => {
      const db = new Database(join(dir, file), { readonly: true });
      try {
        return normalise(db.prepare(WEEK_ROWS).all() as WeekRow[]);
      } finally {
        db.close();
      }
    };
    const backFilled = weekRows('v1.db');
    expect(backFilled.length).toBe(batch.weeks.length);
    expect(backFilled).toEqual(weekRows('fresh.db'));
  });

  describe.skipIf(!pgUp)('on PostgreSQL', () => {
    const schemas: TestSchema[] = [testSchema(), testSchema()];
    afterAll(() => Promise.all(schemas.map((s) => s.drop())));

    it('the same week rows, partitions and answers as a store that rolled weeks up at ingest', async () => {
      const [v1, fresh] = schemas as [TestSchema, TestSchema];
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA "${v1.name}"; SET search_path = "${v1.name}"`);
        await client.query(migrationsOf('postgres')[0]?.sql ?? '');
        await client.query(`CREATE TABLE schema_migration (
          version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
          INSERT INTO schema_migration (version, name) VALUES (1, 'init')`);
        for (const p of partitionsFor({ ...batch, weeks: [] })) {
          await client.query(
            `CREATE TABLE ${p.name} PARTITION OF ${p.table} FOR VALUES FROM (${p.from}) TO (${p.to})`,
          );
        }
        for (const insert of v1Inserts(batch, (n) => `$${n}`)) await client.query(insert);
      } finally {
        await client.end();
      }

      const upgraded = await v1.open();
      const reference = await fresh.open();
      await reference.aggregates.commit(batch);
      expect(await totalsOf(upgraded)).toEqual(await totalsOf(reference));
      // The store's own partition arithmetic agrees with the bounds the migration chose.
      const bounds = await v1.admin<{ name: string; bound: string }>(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = '"${v1.name}".agg_week'::regclass ORDER BY 1`,
      );
      const expected = new Map(batch.weeks.map((r) => weekPartition(r.bucket)).map((p) => [p.name, p]));
      for (const { name, bound } of bounds.filter((b) => expected.has(b.name))) {
        const p = expected.get(name);
        expect(bound).toBe(`FOR VALUES FROM ('${p?.from}') TO ('${p?.to}')`);
      }
      expect(bounds.map((b) => b.name)).toEqual(expect.arrayContaining([...expected.keys()]));
      // And it keeps merging into the back-filled rows.
      await Promise.all([upgraded.aggregates.commit(batch), reference.aggregates.commit(batch)]);
      expect(await totalsOf(upgraded)).toEqual(await totalsOf(reference));
      await Promise.all([upgraded.close(), reference.close()]);

      const weekRows = async (s: TestSchema) =>
        normalise(await s.admin<WeekRow>(WEEK_ROWS.replace('agg_week', `"${s.name}".agg_week`)));
      const backFilled = await weekRows(v1);
      expect(backFilled.length).toBe(batch.weeks.length);
      expect(backFilled).toEqual(await weekRows(fresh));
    });
  });
});
