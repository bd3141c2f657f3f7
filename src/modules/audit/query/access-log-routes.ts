import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../../platform/context/index.ts';
import { AppError } from '../../../platform/errors/index.ts';
import type { AuditService } from '../service.ts';
import { accessLogCsv, accessLogEntry } from './access-log.ts';
import { actorViews, type DescribeActors } from './actors.ts';
import { booleanParam, cursorParam, dateParam, intParam, single, type QueryString } from './params.ts';
import { queryLedger } from './query-store.ts';

/** The chart whose history is asked for: the patient's own, or one they are a delegate for. */
function chartOf(ctx: RequestContext, requested: string | undefined): string {
  const own = [ctx.patientId, ...ctx.delegations].filter((p): p is string => !!p);
  if (requested !== undefined) {
    if (!own.includes(requested)) {
      throw new AppError('forbidden', 'You may see the access history of your own chart only', {
        reason: 'not_own_chart',
      });
    }
    return requested;
  }
  if (own.length === 1) return own[0] as string;
  throw new AppError(
    'invalid_request',
    own.length === 0 ? 'No chart is linked to this account' : 'Say which chart: ?patient=',
    {
      reason: own.length === 0 ? 'no_chart' : 'patient_required',
    },
  );
}

/**
 * `GET /api/me/access-log`: everyone who accessed the caller's chart (or a chart they are delegate for),
 * newest first, with break-glass accesses flagged and their justification shown. `?format=csv` downloads it.
 */
export function registerAccessLogRoutes(
  app: FastifyInstance,
  audit: AuditService,
  describeActors: DescribeActors,
): void {
  app.get(
    '/api/me/access-log',
    { config: { access: { kind: 'authenticated', roles: ['patient', 'delegate'] } } },
    async (request, reply) => {
      const query = request.query as QueryString;
      const patient = chartOf(request.ctx, single(query, 'patient'));
      const format = single(query, 'format') ?? 'json';
      if (format !== 'json' && format !== 'csv') {
        throw new AppError('invalid_request', 'format must be json or csv', { reason: 'invalid_format' });
      }
      const page = await queryLedger(audit.db, {
        patient,
        from: dateParam(query, 'from'),
        to: dateParam(query, 'to'),
        category: single(query, 'category'),
        breakGlass: booleanParam(query, 'breakGlass'),
        before: cursorParam(query, 'cursor'),
        limit: intParam(query, 'limit', format === 'csv' ? 1_000 : 50, format === 'csv' ? 10_000 : 200),
      });
      const actorOf = await actorViews(page.entries, describeActors);
      const entries = page.entries.map((e) => accessLogEntry(e, actorOf(e)));
      const next = page.next === undefined ? {} : { next: String(page.next) };
      reply.header('cache-control', 'no-store');
      if (format === 'csv') {
        if (next.next) reply.header('x-next-cursor', next.next);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="access-log.csv"')
          .send(accessLogCsv(entries));
      }
      return { entries, ...next };
    },
  );
}
