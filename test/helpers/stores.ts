import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';

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

/** Every backend the HTTP and end-to-end suites must pass on. */
export const storesUnderTest = (): StoreUnderTest[] => [sqliteUnderTest];
