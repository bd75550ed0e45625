import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { type ReadinessCheck, readiness } from '../ops/readiness.ts';

export interface OpsRoutesDeps {
  /** The process's metrics registry (Prometheus text format on /metrics). */
  registry: Registry;
  /** What /readyz checks: typically the store, and Redis and the drainer when draining. */
  readiness: ReadinessCheck[];
}

/**
 * `GET /metrics`, `GET /healthz` (the process is alive: always 200) and `GET /readyz` (200 when
 * every check passes, else 503 with the failing checks). Unauthenticated, like most exporters:
 * bind them to a private interface or filter them at the proxy.
 */
export function opsRoutes(app: FastifyInstance, deps: OpsRoutesDeps): void {
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.registry.contentType);
    return deps.registry.metrics();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const r = await readiness(deps.readiness);
    reply.code(r.ready ? 200 : 503);
    return { status: r.ready ? 'ready' : 'not ready', checks: r.checks };
  });
}
