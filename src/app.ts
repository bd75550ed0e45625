import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Registry } from 'prom-client';
import { activityRoutes } from './api/activity-routes.ts';
import { adminRoutes } from './api/admin-routes.ts';
import { adminGuard } from './api/auth.ts';
import { deadLetterRoutes } from './api/dead-letter-routes.ts';
import { ingestRoutes } from './api/ingest-routes.ts';
import { opsRoutes } from './api/ops-routes.ts';
import { installErrorHandling } from './api/tyk-error.ts';
import type { Config } from './config.ts';
import { createIngestMetrics, type IngestMetrics } from './ops/metrics.ts';
import { type ReadinessCheck, storeCheck } from './ops/readiness.ts';
import type { Store } from './store/store.ts';

/** What the HTTP surface needs; main.ts wires the real ones, tests their own. */
export interface AppDeps {
  store: Store;
  config: Pick<Config, 'pageSize' | 'timeZone' | 'trackAllPaths' | 'ingestMaxBytes'>;
  /** SHA-256 (hex) of the admin secret; the secret itself never reaches the app. */
  adminSecretSha256: string;
  clock: () => number;
  logger?: FastifyServerOptions['logger'];
  /** Metrics (on their registry) and /readyz checks; default: a private registry, store check only. */
  ops?: { metrics: IngestMetrics; readiness: ReadinessCheck[] };
}

/** Builds the Fastify app without listening: tests drive it through `app.inject`. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.config.ingestMaxBytes,
  });
  installErrorHandling(app);
  // Tyk answers `Content-Type: application/json` without a charset; some clients compare it exactly.
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json'))
      reply.header('content-type', 'application/json');
    return payload;
  });
  const guard = adminGuard(deps.adminSecretSha256);
  const ops = deps.ops ?? {
    metrics: createIngestMetrics(new Registry()),
    readiness: [storeCheck(deps.store)],
  };
  activityRoutes(app, deps);
  adminRoutes(app, deps, guard);
  ingestRoutes(app, deps, guard, ops.metrics);
  opsRoutes(app, { registry: ops.metrics.registry, readiness: ops.readiness });
  deadLetterRoutes(app, {
    store: deps.store,
    aggregate: { tz: deps.config.timeZone, trackAllPaths: deps.config.trackAllPaths },
    authorizeAdmin: async (request) => guard(request),
    metrics: ops.metrics,
  });
  return app;
}
