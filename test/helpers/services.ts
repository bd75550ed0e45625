import { connect } from 'node:net';

export const TEST_PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function tcpReachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether a test service is reachable. Unreachable: a loud warning and `false` (tests skip) —
 * except when CI is set, where a missing service is a failure, never a silent skip.
 */
export async function serviceAvailable(name: 'PostgreSQL' | 'Redis', url: string): Promise<boolean> {
  const ok = await tcpReachable(url, name === 'Redis' ? 6379 : 5432);
  if (ok) return true;
  if (process.env.CI)
    throw new Error(`${name} at ${url} is unreachable and CI is set: failing, not skipping`);
  console.warn(
    `\n!!!!! ${name} at ${url} is unreachable: SKIPPING its tests (set CI=1 to make this fail) !!!!!\n`,
  );
  return false;
}
