import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { openTestPgStore } from './pg.ts';
import { serviceAvailable, TEST_PG_URL } from './services.ts';

export interface StoreUnderTest {
  name: string;
  /** A fresh, empty, migrated store of its own. */
  open(): Promise<Store>;
}

let dir: string | undefined;
let n = 0;

/** A new SQLite file in a per-process temporary folder: real file I/O, no shared state. */
export const sqliteUnderTest: StoreUnderTest = {
  name: 'sqlite',
  async open() {
    dir ??= mkdtempSync(join(tmpdir(), 'keymeter-test-'));
    return openSqliteStore(join(dir, `store-${process.pid}-${n++}.db`));
  },
};

/** A fresh schema in TEST_PG_URL's database per store; closing the store drops the schema. */
export const postgresUnderTest: StoreUnderTest = {
  name: 'postgres',
  open: () => openTestPgStore(),
};

// Probed once per test file: unreachable → loud skip, or a failure when CI is set.
const postgresUp = await serviceAvailable('PostgreSQL', TEST_PG_URL);

/** Every backend the HTTP and end-to-end suites must pass on. */
export const storesUnderTest = (): StoreUnderTest[] =>
  postgresUp ? [sqliteUnderTest, postgresUnderTest] : [sqliteUnderTest];
