import { TimeZone } from './aggregate/time-zone.ts';

export type StoreUrl = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  host: string;
  port: number;
  store: StoreUrl;
  /** undefined = generated on first start and kept in the store. */
  adminSecret: string | undefined;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /**
   * Stable drain identity (KEYMETER_INSTANCE_ID). A restart under the same id adopts the batches
   * it left in flight at once instead of waiting out its old lease; undefined = random per start.
   */
  instanceId: string | undefined;
  timeZone: TimeZone;
  pageSize: number;
  trackAllPaths: boolean;
  retentionDays: number | undefined;
  /** Largest accepted POST /ingest/records body, bytes. */
  ingestMaxBytes: number;
  logLevel: string;
}

/** A configuration error: names the variable and what is allowed. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      `${name}=${JSON.stringify(raw)} is invalid: expected an integer from ${min} to ${max}`,
    );
  }
  return Number(raw);
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(env[name])} is invalid: expected true or false`);
}

function storeUrl(raw: string): StoreUrl {
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length);
    if (file === '')
      throw new ConfigError('KEYMETER_STORE=sqlite: needs a file, e.g. sqlite:./data/keymeter.db');
    return { kind: 'sqlite', file };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('KEYMETER_STORE is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: raw };
  }
  throw new ConfigError(
    `KEYMETER_STORE=${JSON.stringify(raw)} is invalid: expected sqlite:<file>, sqlite::memory: or a postgres:// URL`,
  );
}

function timeZone(raw: string): TimeZone {
  try {
    return new TimeZone(raw);
  } catch {
    throw new ConfigError(
      `KEYMETER_TIMEZONE=${JSON.stringify(raw)} is not an IANA time zone (e.g. UTC, Asia/Kolkata)`,
    );
  }
}

function instanceId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  // It becomes part of Redis key names and batch ids, whose index values use '|' and ','.
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(raw)) {
    throw new ConfigError(
      `KEYMETER_INSTANCE_ID=${JSON.stringify(raw)} is invalid: use 1 to 64 letters, digits, '.', '_' or '-' (e.g. the pod name)`,
    );
  }
  return raw;
}

/** Reads and validates the KEYMETER_* variables (SPEC §4). Throws ConfigError naming the culprit. */
export function loadConfig(env: Env): Config {
  const redisUrl = env.KEYMETER_REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('KEYMETER_REDIS_URL is invalid: expected redis://host:port[/db]');
  }
  const adminSecret = env.KEYMETER_ADMIN_SECRET;
  if (adminSecret !== undefined && adminSecret !== '' && adminSecret.length < 16) {
    throw new ConfigError('KEYMETER_ADMIN_SECRET is too short: use at least 16 characters');
  }
  const retention = env.KEYMETER_RETENTION_DAYS;
  return {
    host: env.KEYMETER_HOST?.trim() || '127.0.0.1',
    port: integer(env, 'KEYMETER_PORT', 3000, 0, 65_535),
    store: storeUrl(env.KEYMETER_STORE?.trim() || 'sqlite:./data/keymeter.db'),
    adminSecret: adminSecret || undefined,
    redisUrl,
    redisKeyPrefix: env.KEYMETER_REDIS_KEY_PREFIX ?? 'analytics-',
    instanceId: instanceId(env.KEYMETER_INSTANCE_ID?.trim()),
    timeZone: timeZone(env.KEYMETER_TIMEZONE?.trim() || 'UTC'),
    pageSize: integer(env, 'KEYMETER_PAGE_SIZE', 10, 1, 10_000),
    trackAllPaths: boolean(env, 'KEYMETER_TRACK_ALL_PATHS', true),
    retentionDays:
      retention === undefined || retention === ''
        ? undefined
        : integer(env, 'KEYMETER_RETENTION_DAYS', 0, 1, 36_500),
    ingestMaxBytes: integer(env, 'KEYMETER_INGEST_MAX_BYTES', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    logLevel: env.KEYMETER_LOG_LEVEL?.trim() || 'info',
  };
}
