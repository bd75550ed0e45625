import type { Redis } from 'ioredis';
import type { Store } from '../store/store.ts';

/** One dependency's readiness: resolves to undefined when ready, else a short reason. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<string | undefined>;
}

export interface Readiness {
  ready: boolean;
  /** Check name → `ok` or the reason it is not ready. */
  checks: Record<string, string>;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const storeCheck = (store: Store, timeoutMs = 2_000): ReadinessCheck => ({
  name: 'store',
  async check() {
    try {
      await withTimeout(store.ping(), timeoutMs);
      return undefined;
    } catch (err) {
      return message(err);
    }
  },
});

export const redisCheck = (redis: Redis, timeoutMs = 1_000): ReadinessCheck => ({
  name: 'redis',
  async check() {
    // A disconnected client queues commands instead of failing them: ask for its state first.
    if (redis.status !== 'ready') return `connection ${redis.status}`;
    try {
      await withTimeout(redis.ping(), timeoutMs);
      return undefined;
    } catch (err) {
      return message(err);
    }
  },
});

/** Not ready while the drainer backs off from a failure (it has stopped taking records). */
export const drainerCheck = (drainer: {
  status(): { ready: boolean; failing: string[] };
}): ReadinessCheck => ({
  name: 'drain',
  async check() {
    const s = drainer.status();
    return s.ready ? undefined : `backing off: ${s.failing.join('; ')}`;
  },
});

export async function readiness(checks: ReadinessCheck[]): Promise<Readiness> {
  const results = await Promise.all(checks.map(async (c) => [c.name, (await c.check()) ?? 'ok'] as const));
  return { ready: results.every(([, r]) => r === 'ok'), checks: Object.fromEntries(results) };
}
