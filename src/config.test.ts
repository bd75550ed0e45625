import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      store: { kind: 'sqlite', file: './data/keymeter.db' },
      adminSecret: undefined,
      redisUrl: undefined,
      redisKeyPrefix: 'analytics-',
      instanceId: undefined,
      pageSize: 10,
      trackAllPaths: true,
      retentionDays: undefined,
    });
    expect(c.timeZone.name).toBe('UTC');
  });

  it('reads every variable', () => {
    const c = loadConfig({
      KEYMETER_PORT: '8080',
      KEYMETER_STORE: 'postgres://postgres@127.0.0.1/test',
      KEYMETER_ADMIN_SECRET: 'a-long-enough-secret',
      KEYMETER_REDIS_URL: 'redis://127.0.0.1:6379',
      KEYMETER_REDIS_KEY_PREFIX: 'x-',
      KEYMETER_INSTANCE_ID: 'keymeter-0',
      KEYMETER_TIMEZONE: 'Asia/Kolkata',
      KEYMETER_PAGE_SIZE: '25',
      KEYMETER_TRACK_ALL_PATHS: 'false',
      KEYMETER_RETENTION_DAYS: '30',
    });
    expect(c).toMatchObject({
      port: 8080,
      store: { kind: 'postgres' },
      adminSecret: 'a-long-enough-secret',
      redisKeyPrefix: 'x-',
      instanceId: 'keymeter-0',
      pageSize: 25,
      trackAllPaths: false,
      retentionDays: 30,
    });
    expect(c.timeZone.name).toBe('Asia/Kolkata');
    expect(loadConfig({ KEYMETER_STORE: 'sqlite::memory:' }).store).toEqual({
      kind: 'sqlite',
      file: ':memory:',
    });
  });

  it.each([
    ['KEYMETER_PORT', 'abc'],
    ['KEYMETER_PORT', '70000'],
    ['KEYMETER_STORE', 'mysql://x'],
    ['KEYMETER_TIMEZONE', 'Mars/Olympus'],
    ['KEYMETER_PAGE_SIZE', '0'],
    ['KEYMETER_TRACK_ALL_PATHS', 'maybe'],
    ['KEYMETER_RETENTION_DAYS', '-3'],
    ['KEYMETER_REDIS_URL', 'localhost:6379'],
    ['KEYMETER_ADMIN_SECRET', 'short'],
    ['KEYMETER_INSTANCE_ID', 'pod|1'],
  ])('rejects %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
