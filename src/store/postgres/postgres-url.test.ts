import { describe, expect, it } from 'vitest';
import { parsePostgresUrl } from './postgres-store.ts';

describe('parsePostgresUrl', () => {
  it('takes schema and pool_size off the URL and leaves the rest to pg', () => {
    expect(
      parsePostgresUrl('postgres://u:p@db:5432/km?schema=keymeter&pool_size=20&sslmode=require'),
    ).toEqual({
      connectionString: 'postgres://u:p@db:5432/km?sslmode=require',
      schema: 'keymeter',
      poolSize: 20,
      serverOptions: undefined,
    });
    expect(parsePostgresUrl('postgres://db/km')).toEqual({
      connectionString: 'postgres://db/km',
      schema: undefined,
      poolSize: undefined,
      serverOptions: undefined,
    });
    expect(parsePostgresUrl('postgres://db/km?options=-c%20statement_timeout%3D5s').serverOptions).toBe(
      '-c statement_timeout=5s',
    );
  });

  it('rejects a pool size that is not a positive integer', () => {
    expect(() => parsePostgresUrl('postgres://db/km?pool_size=0')).toThrow(/pool_size/);
    expect(() => parsePostgresUrl('postgres://db/km?pool_size=ten')).toThrow(/pool_size/);
  });
});
