import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import { clinicalRoles } from '../../platform/context/index.ts';
import type { Database } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { RouteAccess } from '../../platform/http/index.ts';
import type { AuthzDB } from './db-types.ts';
import { notificationsFor } from './notifications.ts';
import { researchExport, type ResearchSource } from './research.ts';
import type { Authorization } from './service.ts';

export interface AuthzRouteDeps {
  authorization: Authorization;
  database: Database;
  researchSource: ResearchSource;
}

const clinicians: RouteAccess = { kind: 'authenticated', roles: clinicalRoles };
const officers: RouteAccess = { kind: 'authenticated', roles: ['privacy-officer'] };
const grantIdPattern = /^[0-9a-f-]{36}$/;

/** Break-glass, its review, consent receipts and the research export (SPEC §2 Consent, Break-glass). */
export function authzRoutes(deps: AuthzRouteDeps): FastifyPluginAsync {
  const { authorization } = deps;
  const db = deps.database.db as unknown as Kysely<AuthzDB>;
  return async (app) => {
    app.post('/api/break-glass', { config: { access: clinicians } }, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const grant = await authorization.breakGlass.open(request.ctx, {
        patient: body.patient,
        justification: body.justification,
        reason: body.reason,
        minutes: body.minutes,
      });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          id: grant.grantId,
          patient: grant.patientId,
          reason: grant.reason,
          createdAt: grant.createdAt.toISOString(),
          expiresAt: grant.expiresAt.toISOString(),
          purposes: ['BTG', 'ETREAT'],
        });
    });

    app.get('/api/break-glass/active', { config: { access: clinicians } }, async (request) => {
      const grants = await authorization.breakGlass.activeList(request.ctx);
      return grants.map((g) => ({
        id: g.grantId,
        patient: g.patientId,
        reason: g.reason,
        expiresAt: g.expiresAt.toISOString(),
        remainingSeconds: g.remainingSeconds,
      }));
    });

    app.get('/api/break-glass/reviews', { config: { access: officers } }, async (request) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const rows = await authorization.breakGlass.reviews(request.ctx, { pending: query.pending === 'true' });
      return rows.map((r) => ({
        id: r.id,
        clinician: r.subject,
        practitioner: r.practitioner_id,
        institution: r.institution_id,
        patient: r.patient_id,
        reason: r.reason,
        justification: r.justification,
        createdAt: new Date(r.created_at).toISOString(),
        expiresAt: new Date(r.expires_at).toISOString(),
        acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at).toISOString() : null,
        acknowledgedBy: r.acknowledged_by,
        comment: r.review_comment,
      }));
    });

    app.post('/api/break-glass/:id/acknowledge', { config: { access: officers } }, async (request) => {
      const { id } = request.params as { id: string };
      if (!grantIdPattern.test(id)) throw new AppError('not_found', 'Break-glass grant not found');
      const comment = ((request.body ?? {}) as Record<string, unknown>).comment;
      const row = await authorization.breakGlass.acknowledge(request.ctx, id, comment);
      return {
        id: row.id,
        acknowledgedAt: new Date(row.acknowledged_at!).toISOString(),
        comment: row.review_comment,
      };
    });

    // The patient's and the privacy office's stored notifications (the delivery interface sends them on).
    app.get(
      '/api/break-glass/notifications',
      { config: { access: { kind: 'authenticated', roles: ['patient', 'privacy-officer'] } } },
      async (request) => {
        const ctx = request.ctx;
        const rows =
          ctx.roles.includes('privacy-officer') && ctx.institution
            ? await notificationsFor(db, 'privacy-office', ctx.institution)
            : ctx.patientId
              ? await notificationsFor(db, 'patient', ctx.patientId)
              : [];
        return rows.map((r) => ({
          id: r.id,
          grant: r.grant_id,
          createdAt: new Date(r.created_at).toISOString(),
          delivered: r.delivered_at !== null,
          ...(r.payload as object),
        }));
      },
    );

    app.get(
      '/api/patients/:patientId/consent-receipts',
      { config: { access: { kind: 'authenticated', roles: ['patient', 'delegate', 'privacy-officer'] } } },
      async (request) => {
        const { patientId } = request.params as { patientId: string };
        const ctx = request.ctx;
        const own = patientId === ctx.patientId || ctx.delegations.includes(patientId);
        let allowed = own;
        if (!own && ctx.roles.includes('privacy-officer')) {
          const home = await db
            .selectFrom('authz_patient')
            .select('institution_id')
            .where('patient_id', '=', patientId)
            .executeTakeFirst();
          allowed = home?.institution_id === ctx.institution;
        }
        if (!allowed) throw new AppError('not_found', 'Patient not found');
        const rows = await db
          .selectFrom('authz_consent_receipt')
          .selectAll()
          .where('patient_id', '=', patientId)
          .orderBy('id')
          .execute();
        return rows.map((r) => ({
          consent: `Consent/${r.consent_id}`,
          versionId: r.version_id,
          status: r.status,
          changedBy: r.changed_by,
          changedAt: new Date(r.changed_at).toISOString(),
          provisions: r.summary,
        }));
      },
    );

    // The policy set in force (what the audit's policy ids refer to); administrators may reload it.
    const policyInfo = () => ({
      version: authorization.policyVersion,
      files: authorization.policySet.files,
      loadedAt: authorization.policySet.loadedAt.toISOString(),
      policies: [...authorization.policySet.policies.values()],
    });
    app.get(
      '/api/authz/policy',
      { config: { access: { kind: 'authenticated', roles: ['admin', 'privacy-officer'] } } },
      async () => policyInfo(),
    );
    app.post(
      '/api/authz/policy/reload',
      { config: { access: { kind: 'authenticated', roles: ['admin'], mfa: true } } },
      async () => {
        try {
          await authorization.reload();
        } catch (error) {
          // The running set stays in force; the message names the invalid policy, not any record.
          throw new AppError('unprocessable', `Policy reload refused: ${(error as Error).message}`, {
            reason: 'policy_invalid',
          });
        }
        return policyInfo();
      },
    );

    app.get(
      '/api/research/export',
      { config: { access: { kind: 'authenticated', roles: ['researcher'] } } },
      async (request, reply) => {
        const bundle = await researchExport(deps.database, authorization, deps.researchSource, request.ctx);
        return reply.header('cache-control', 'no-store').type('application/fhir+json').send(bundle);
      },
    );
  };
}
