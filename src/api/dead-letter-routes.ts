import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AggregateOptions } from '../aggregate/aggregate.ts';
import type { IngestMetrics } from '../ops/metrics.ts';
import { redriveDeadLetters } from '../ops/redrive-dead-letters.ts';
import type { RecordDecoder } from '../record/record.ts';
import type { Store } from '../store/store.ts';
import { TykError } from './tyk-error.ts';

export interface DeadLetterRoutesDeps {
  store: Store;
  aggregate: AggregateOptions;
  /** The admin-auth check (header `admin-auth`): it refuses by throwing a TykError or answering itself. */
  authorizeAdmin: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  metrics?: IngestMetrics;
  decodeMsgpack?: RecordDecoder;
}

const MAX_PAGE = 1_000;

const nonNegativeInt = (raw: unknown, fallback: number): number | undefined => {
  if (raw === undefined) return fallback;
  return typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
};

/**
 * Operator access to dead letters (records that failed to decode or validate):
 * `GET /admin/dead-letters?after=<id>&limit=<n>` lists them, oldest first, payload in base64;
 * `POST /admin/dead-letters/redrive` with `{"ids":[…]}` (or `{}` for all) decodes them again and
 * commits those that now decode, removing them from the dead letters in the same transaction.
 */
export function deadLetterRoutes(app: FastifyInstance, deps: DeadLetterRoutesDeps): void {
  const preHandler = deps.authorizeAdmin;

  app.get('/admin/dead-letters', { preHandler }, async (req) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const after = nonNegativeInt(q.after, 0);
    const limit = nonNegativeInt(q.limit, 100);
    if (after === undefined || limit === undefined || limit < 1 || limit > MAX_PAGE) {
      throw new TykError(400, `after must be an id and limit an integer from 1 to ${MAX_PAGE}`);
    }
    const [rows, total] = await Promise.all([
      deps.store.aggregates.listDeadLetters(after, limit),
      deps.store.aggregates.countDeadLetters(),
    ]);
    return {
      Status: 'OK',
      Message: `${rows.length} of ${total} dead letters`,
      Meta: {
        total,
        next_after: rows.length === limit ? rows[rows.length - 1]?.id : null,
        dead_letters: rows.map((dl) => ({
          id: dl.id,
          source: dl.source,
          reason: dl.reason,
          received_at: new Date(dl.receivedAtMs).toISOString(),
          payload_base64: Buffer.from(dl.payload).toString('base64'),
        })),
      },
    };
  });

  app.post('/admin/dead-letters/redrive', { preHandler }, async (req) => {
    const body = (req.body ?? {}) as { ids?: unknown };
    const ids = body.ids;
    if (
      ids !== undefined &&
      !(Array.isArray(ids) && ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0))
    ) {
      throw new TykError(400, 'ids must be an array of dead letter ids (or absent for all)');
    }
    const result = await redriveDeadLetters((ids as number[] | undefined) ?? 'all', deps);
    return {
      Status: 'OK',
      Message: `${result.redriven.length} re-driven, ${result.stillFailing.length} still failing`,
      Meta: {
        redriven: result.redriven,
        still_failing: result.stillFailing,
        missing: result.missing,
      },
    };
  });
}
