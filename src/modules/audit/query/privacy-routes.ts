import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RequestContext } from '../../../platform/context/index.ts';
import { AppError } from '../../../platform/errors/index.ts';
import type { RouteAccess } from '../../../platform/http/index.ts';
import type { AuditService } from '../service.ts';
import { accessLogEntry } from './access-log.ts';
import { actorViews, type DescribeActors } from './actors.ts';
import { auditEventResource } from './audit-event-resource.ts';
import {
  all,
  booleanParam,
  cursorParam,
  dateParam,
  fhirDateRange,
  intParam,
  single,
  type QueryString,
} from './params.ts';
import { queryLedger } from './query-store.ts';
import { readVerificationStatus } from '../verify/verification-status.ts';

const privacyOfficer: RouteAccess = { kind: 'authenticated', roles: ['privacy-officer'] };
const FHIR_OUTCOME: Record<string, string> = { '0': 'permit', '4': 'deny', '8': 'error', '12': 'error' };

/** Reading the ledger is itself recorded: who looked at whose audit trail, before the answer leaves. */
async function auditTheAuditor(
  audit: AuditService,
  ctx: RequestContext,
  view: string,
  patient?: string,
): Promise<void> {
  await audit.append(ctx, {
    action: 'search',
    outcome: 'permit',
    resourceType: 'AuditEvent',
    category: 'audit',
    ...(patient ? { patientId: patient } : {}),
    detail: { view },
  });
}

function outcomeParam(query: QueryString): string | undefined {
  const value = single(query, 'outcome');
  if (value === undefined) return undefined;
  const outcome = FHIR_OUTCOME[value] ?? (['permit', 'deny', 'error'].includes(value) ? value : undefined);
  if (!outcome)
    throw new AppError('invalid_request', 'outcome must be 0, 4, 8, permit, deny or error', {
      reason: 'invalid_query',
    });
  return outcome;
}

/** `agent` is `Practitioner/x`-style or a bare subject id; `patient` may be `Patient/x`. */
const bareId = (value: string | undefined) => value?.replace(/^[A-Za-z]+\//, '');

function sixYearsAgo(retentionDays: number): Date {
  return new Date(Date.now() - retentionDays * 86_400_000);
}

export function registerPrivacyRoutes(
  app: FastifyInstance,
  audit: AuditService,
  describeActors: DescribeActors,
): void {
  app.get(
    '/fhir/R4/AuditEvent',
    { config: { access: privacyOfficer } },
    async (request, reply: FastifyReply) => {
      const query = request.query as QueryString;
      const count = intParam(query, '_count', 50, 500);
      const patient = bareId(single(query, 'patient'));
      const page = await queryLedger(audit.db, {
        patient,
        subject: bareId(single(query, 'agent')),
        ...fhirDateRange(all(query, 'date')),
        purpose: single(query, 'purpose'),
        outcome: outcomeParam(query),
        breakGlass: booleanParam(query, 'break-glass'),
        before: cursorParam(query, '_cursor'),
        limit: count,
      });
      const actorOf = await actorViews(page.entries, describeActors);
      await auditTheAuditor(audit, request.ctx, 'AuditEvent', patient);
      const self = new URL(request.url, 'http://x');
      const next = new URL(self);
      if (page.next !== undefined) next.searchParams.set('_cursor', String(page.next));
      return reply.type('application/fhir+json').send({
        resourceType: 'Bundle',
        type: 'searchset',
        link: [
          { relation: 'self', url: `${self.pathname}${self.search}` },
          ...(page.next !== undefined ? [{ relation: 'next', url: `${next.pathname}${next.search}` }] : []),
        ],
        entry: page.entries.map((e) => ({
          fullUrl: `AuditEvent/${e.index}`,
          resource: auditEventResource(e, actorOf(e)),
          search: { mode: 'match' },
        })),
      });
    },
  );

  // HIPAA §164.528: disclosures of a patient's information to others over the retention window (6 years).
  app.get('/api/patients/:id/disclosures', { config: { access: privacyOfficer } }, async (request) => {
    const { id } = request.params as { id: string };
    const query = request.query as QueryString;
    const earliest = sixYearsAgo(audit.settings.retentionDays);
    const from = dateParam(query, 'from');
    const page = await queryLedger(audit.db, {
      patient: id,
      outcome: 'permit',
      excludeActorRoles: ['patient', 'delegate'],
      // Reviewing the audit trail discloses no clinical information.
      excludeCategory: 'audit',
      from: from && from > earliest ? from : earliest,
      to: dateParam(query, 'to'),
      before: cursorParam(query, 'cursor'),
      limit: intParam(query, 'limit', 100, 1_000),
    });
    const actorOf = await actorViews(page.entries, describeActors);
    await auditTheAuditor(audit, request.ctx, 'disclosures', id);
    return {
      patient: id,
      from: (from && from > earliest ? from : earliest).toISOString(),
      disclosures: page.entries.map((e) => ({
        ...accessLogEntry(e, actorOf(e)),
        resourceIds: e.resourceIds ?? [],
        description: `${e.action} ${e.resourceType ?? 'record'}${e.category ? ` (${e.category})` : ''}`,
      })),
      ...(page.next === undefined ? {} : { next: String(page.next) }),
    };
  });

  app.get('/api/audit/break-glass', { config: { access: privacyOfficer } }, async (request) => {
    const query = request.query as QueryString;
    const patient = single(query, 'patient');
    const page = await queryLedger(audit.db, {
      breakGlass: true,
      patient,
      from: dateParam(query, 'from'),
      to: dateParam(query, 'to'),
      before: cursorParam(query, 'cursor'),
      limit: intParam(query, 'limit', 100, 1_000),
    });
    const actorOf = await actorViews(page.entries, describeActors);
    await auditTheAuditor(audit, request.ctx, 'break-glass-report', patient);
    return {
      entries: page.entries.map((e) => ({
        ...accessLogEntry(e, actorOf(e)),
        subject: e.actor.subject ?? null,
        patient: e.patient ?? null,
        grantId: e.breakGlass?.grantId ?? null,
        expiresAt: e.breakGlass?.expiresAt ?? null,
      })),
      ...(page.next === undefined ? {} : { next: String(page.next) }),
    };
  });

  // The last scheduled `audit verify` run, for the ledger status page.
  app.get('/api/audit/verification', { config: { access: privacyOfficer } }, async () => {
    const status = await readVerificationStatus(audit.storage);
    if (!status) throw new AppError('not_found', 'No verification has run yet');
    return status;
  });
}
