import type { FastifyInstance } from 'fastify';
import type { SubjectKind } from '../aggregate/aggregate.ts';
import type { AppDeps } from '../app.ts';
import { authenticateAnalyticsUser } from './auth.ts';
import { type DateParams, parseDateRange, parsePage } from './date-range.ts';
import { buildReport } from './endpoint-report.ts';

const DATES = ':sd/:sm/:sy/:ed/:em/:ey';

/** The two Tyk Dashboard "Analytics Endpoints" routes (SPEC §1). */
export function activityRoutes(app: FastifyInstance, deps: AppDeps): void {
  const route = (segment: string, kind: SubjectKind) =>
    app.get<{ Params: DateParams & { subject: string }; Querystring: { p?: string } }>(
      `/api/activity/${segment}/endpoint/:subject/${DATES}`,
      async (request, reply) => {
        const user = await authenticateAnalyticsUser(request, deps.store.accounts);
        const { startDay, endDay } = parseDateRange(request.params);
        const page = parsePage(request.query.p);
        const totals = await deps.store.aggregates.queryEndpoints({
          orgId: user.orgId,
          kind,
          subject: request.params.subject,
          startDay,
          endDay,
        });
        return reply.send(buildReport(totals, page, deps.config.pageSize, deps.config.timeZone));
      },
    );
  route('keys', 'key');
  route('oauthid', 'oauth');
}
