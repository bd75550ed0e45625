import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TimeZone } from '../src/aggregate/time-zone.ts';
import { newAccessKey, sha256Hex } from '../src/api/auth.ts';
import { buildApp } from '../src/app.ts';
import type { Store } from '../src/store/store.ts';

const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

export interface HttpResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

/**
 * Serves the real app on the store and loads one seed-endpoint URL with autocannon. autocannon
 * runs as a child process so the load generator does not share the server's event loop.
 */
export async function measureHttp(
  store: Store,
  orgId: string,
  tz: TimeZone,
  path: string,
  opts: { seconds: number; connections: number },
): Promise<HttpResult> {
  const key = newAccessKey();
  await store.accounts.createUser({
    id: `bench-${key.slice(0, 8)}`,
    orgId,
    firstName: 'Bench',
    lastName: 'User',
    emailAddress: `bench-${key.slice(0, 8)}@example.com`,
    active: true,
    permissions: { analytics: 'read' },
    accessKeyHash: sha256Hex(key),
    createdAtMs: Date.now(),
  });
  const app = buildApp({
    store,
    config: { pageSize: 10, timeZone: tz, trackAllPaths: true, ingestMaxBytes: 1024 * 1024 },
    adminSecretSha256: sha256Hex(newAccessKey()),
    clock: Date.now,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        AUTOCANNON,
        '-j',
        '-c',
        String(opts.connections),
        '-d',
        String(opts.seconds),
        '-H',
        `authorization=${key}`,
        `${address}${path}`,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const r = JSON.parse(stdout) as {
      requests: { average: number };
      latency: { p50: number; p99: number };
      non2xx: number;
    };
    return {
      requestsPerSecond: r.requests.average,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
    };
  } finally {
    await app.close();
  }
}
