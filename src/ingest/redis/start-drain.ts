import { Redis } from 'ioredis';
import type { Config } from '../../config.ts';
import type { IngestMetrics } from '../../ops/metrics.ts';
import { drainerCheck, type ReadinessCheck, redisCheck } from '../../ops/readiness.ts';
import type { Store } from '../../store/store.ts';
import { type DrainLog, RedisDrainer } from './drainer.ts';

export interface RunningDrain {
  drainer: RedisDrainer;
  /** Redis reachable, and the drainer not backing off. */
  readiness: ReadinessCheck[];
  /** Finishes or parks the batch in hand, then closes the Redis connection. */
  stop(): Promise<void>;
}

/** Connects to the gateways' Redis and starts draining their analytics lists (main.ts wiring). */
export function startRedisDrain(o: {
  url: string;
  config: Pick<Config, 'redisKeyPrefix' | 'instanceId' | 'timeZone' | 'trackAllPaths'>;
  store: Store;
  metrics: IngestMetrics;
  log: DrainLog & { error(obj: object, msg: string): void };
}): RunningDrain {
  const redis = new Redis(o.url, { lazyConnect: false });
  // ioredis retries and reconnects by itself; without a listener an error event would crash us.
  redis.on('error', (err: Error) => o.log.error({ err: err.message }, 'redis connection error'));
  const drainer = new RedisDrainer({
    redis,
    store: o.store,
    prefix: o.config.redisKeyPrefix,
    ...(o.config.instanceId === undefined ? {} : { instanceId: o.config.instanceId }),
    aggregate: { tz: o.config.timeZone, trackAllPaths: o.config.trackAllPaths },
    metrics: o.metrics,
    log: o.log,
  });
  drainer.start();
  o.log.info(
    { prefix: o.config.redisKeyPrefix, instance: drainer.instanceId },
    'draining Tyk analytics from Redis',
  );
  return {
    drainer,
    readiness: [redisCheck(redis), drainerCheck(drainer)],
    async stop() {
      await drainer.stop();
      redis.disconnect();
    },
  };
}
