import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations } from '../../src/store/migrations.ts';
import { type TestSchema, testSchema } from '../helpers/pg.ts';
import { serviceAvailable, TEST_PG_URL } from '../helpers/services.ts';

const pgUp = await serviceAvailable('PostgreSQL', TEST_PG_URL);
const MIGRATIONS = loadMigrations(new URL('../../src/store/postgres/migrations/', import.meta.url).pathname);

describe.skipIf(!pgUp)('PostgreSQL: migrations', () => {
  const schema: TestSchema = testSchema();
  afterAll(() => schema.drop());

  it('applies each migration once when several instances start at the same moment', async () => {
    const stores = await Promise.all([1, 2, 3, 4, 5].map(() => schema.open({ maxConnections: 2 })));
    await Promise.all(stores.map((s) => s.close()));
    const applied = await schema.admin<{ version: number }>(
      `SELECT version FROM "${schema.name}".schema_migration ORDER BY version`,
    );
    expect(applied.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const again = await schema.open();
    await again.ping();
    await again.close();
    expect(await schema.admin(`SELECT version FROM "${schema.name}".schema_migration`)).toHaveLength(
      MIGRATIONS.length,
    );
  });
});
