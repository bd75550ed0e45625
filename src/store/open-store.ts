import type { StoreUrl } from '../config.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** Opens the configured backend, migrated and ready. The one place that picks a backend. */
export async function openStore(url: StoreUrl): Promise<Store> {
  switch (url.kind) {
    case 'sqlite':
      return openSqliteStore(url.file);
    case 'postgres':
      return openPostgresStore(url.url);
  }
}
