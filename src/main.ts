import { collectDefaultMetrics, Registry } from 'prom-client';
import { firstStartBanner, resolveAdminSecret } from './admin-secret.ts';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { startRedisDrain } from './ingest/redis/start-drain.ts';
import { createIngestMetrics } from './ops/metrics.ts';
import { type ReadinessCheck, storeCheck } from './ops/readiness.ts';
import { BATCH_ID_MEMORY_MS, retentionCutoff } from './retention.ts';
import { openStore } from './store/open-store.ts';
import type { Store } from './store/store.ts';

const fail = (message: string): never => {
  console.error(`keymeter: ${message}`);
  process.exit(2);
};

/** Aggregates are bucketed by zone: a store must keep the zone it was created with. */
async function checkTimeZone(store: Store, config: Config): Promise<void> {
  const stored = await store.accounts.initSetting('time_zone', config.timeZone.name);
  if (stored !== config.timeZone.name) {
    fail(
      `KEYMETER_TIMEZONE=${config.timeZone.name} differs from the zone this store was created with (${stored}). ` +
        `Buckets follow the zone's day boundaries: keep KEYMETER_TIMEZONE=${stored} or use a new store.`,
    );
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  let store: Store;
  try {
    store = await openStore(config.store);
  } catch (err) {
    return fail(`cannot open KEYMETER_STORE (${config.store.kind}): ${(err as Error).message}`);
  }
  await checkTimeZone(store, config);
  const admin = await resolveAdminSecret(config.adminSecret, store.accounts);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createIngestMetrics(registry);
  // The drain adds its Redis and drain checks below, once the app's logger exists.
  const readiness: ReadinessCheck[] = [storeCheck(store)];
  const app = buildApp({
    ops: { metrics, readiness },
    store,
    config,
    adminSecretSha256: admin.sha256,
    clock: Date.now,
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers["admin-auth"]'],
    },
  });

  const timers: NodeJS.Timeout[] = [];
  const retentionDays = config.retentionDays;
  if (retentionDays !== undefined) {
    const applyRetention = () =>
      store.aggregates
        .applyRetention(
          retentionCutoff(Date.now(), retentionDays, config.timeZone),
          Date.now() - BATCH_ID_MEMORY_MS,
        )
        .catch((err: unknown) => app.log.error({ err }, 'retention failed'));
    await applyRetention();
    timers.push(setInterval(applyRetention, 3_600_000).unref());
  }

  const drain =
    config.redisUrl === undefined
      ? undefined
      : startRedisDrain({ url: config.redisUrl, config, store, metrics, log: app.log });
  if (drain) readiness.push(...drain.readiness);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    for (const t of timers) clearInterval(t);
    // Finish (or park) the batch in hand before the store closes.
    await drain?.stop();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    return fail(
      `cannot listen on ${config.host}:${config.port} (KEYMETER_HOST/KEYMETER_PORT): ${(err as Error).message}`,
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  if (admin.generated !== undefined)
    process.stdout.write(firstStartBanner(admin.generated, `http://${config.host}:${port}`));
  else app.log.info(`keymeter listening on http://${config.host}:${port}`);
}

await main();
