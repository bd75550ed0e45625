import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.ts';
import { prepareResults } from '../ingest/prepare-batch.ts';
import type { IngestMetrics } from '../ops/metrics.ts';
import { decodeJsonRecord } from '../record/json-decoder.ts';
import { recordFromGoObject, unpackMsgpackArray } from '../record/msgpack-decoder.ts';
import { TykError } from './tyk-error.ts';

const MSGPACK_TYPES = ['application/msgpack', 'application/x-msgpack', 'application/vnd.msgpack'];

/**
 * `POST /ingest/records` (SPEC §5): a JSON array of Tyk JSON records, or a msgpack array of
 * gateway-encoded records. Accepted records are committed before the response is sent; a
 * malformed body commits nothing.
 */
export function ingestRoutes(
  app: FastifyInstance,
  deps: AppDeps,
  guard: (r: FastifyRequest) => void,
  metrics: IngestMetrics,
): void {
  app.register(async (ingest) => {
    ingest.addContentTypeParser(MSGPACK_TYPES, { parseAs: 'buffer' }, (_req, body, done) => {
      const records = unpackMsgpackArray(body as Buffer);
      if (records === undefined) done(new TykError(400, 'Request body is not a msgpack array of records'));
      else done(null, records);
    });
    ingest.addHook('onRequest', async (request) => guard(request));

    ingest.post('/ingest/records', async (request) => {
      const items = request.body as unknown;
      const contentType = request.headers['content-type'] ?? '';
      const fromMsgpack = MSGPACK_TYPES.some((t) => contentType.startsWith(t));
      if (!Array.isArray(items)) throw new TykError(400, 'Request body must be an array of records');
      const decode = fromMsgpack ? recordFromGoObject : decodeJsonRecord;
      const prepared = prepareResults(items.map(decode), {
        tz: deps.config.timeZone,
        trackAllPaths: deps.config.trackAllPaths,
      });
      if (prepared.accepted > 0) await deps.store.aggregates.commit(prepared.batch);
      // Rejected HTTP records go back to the caller (Meta.errors), not to the dead letters.
      metrics.accepted.inc({ source: 'http' }, prepared.accepted);
      metrics.rejected.inc({ source: 'http' }, prepared.rejected.length);
      return {
        Status: 'OK',
        Message: `${prepared.accepted} records accepted, ${prepared.rejected.length} rejected`,
        Meta: { accepted: prepared.accepted, rejected: prepared.rejected.length, errors: prepared.rejected },
      };
    });
  });
}
