import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { clinicalRoles, type RequestContext } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { AuthzDB } from './db-types.ts';
import { deliverPending, type NotificationDelivery } from './notifications.ts';

export interface BreakGlassOptions {
  defaultMinutes: number;
  maxMinutes: number;
  delivery: NotificationDelivery;
  now?: () => Date;
}

export interface BreakGlassRequest {
  patient: unknown;
  justification: unknown;
  reason: unknown;
  minutes?: unknown;
}

export interface ActiveGrant {
  grantId: string;
  patientId: string;
  justification: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
}

export const minJustificationLength = 20;
const patientIdPattern = /^[A-Za-z0-9\-.]{1,64}$/;
const emergencyPurposes = new Set(['BTG', 'ETREAT']);

interface GrantRow {
  id: string;
  patient_id: string;
  justification: string;
  reason: string;
  created_at: Date | string;
  expires_at: Date | string;
}
const toGrant = (row: GrantRow): ActiveGrant => ({
  grantId: row.id,
  patientId: row.patient_id,
  justification: row.justification,
  reason: row.reason,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
});

/** Break-glass grants (SPEC §2): one clinician, one patient, justified, time-boxed, notified, reviewed. */
export function createBreakGlass(db: Kysely<AuthzDB>, options: BreakGlassOptions) {
  const now = options.now ?? (() => new Date());

  async function open(ctx: RequestContext, body: BreakGlassRequest): Promise<ActiveGrant> {
    if (ctx.kind !== 'user' || !ctx.subject || !ctx.roles.some((r) => clinicalRoles.includes(r))) {
      throw new AppError('forbidden', 'Only clinical roles may break the glass', {
        reason: 'break_glass_role',
      });
    }
    if (typeof body.patient !== 'string' || !patientIdPattern.test(body.patient.replace(/^Patient\//, ''))) {
      throw new AppError('invalid_request', 'patient must be one patient id', {
        reason: 'break_glass_patient',
      });
    }
    const patientId = body.patient.replace(/^Patient\//, '');
    const justification =
      typeof body.justification === 'string' ? body.justification.replace(/\s+/g, ' ').trim() : '';
    if (justification.length < minJustificationLength || !/[A-Za-z]{3}/.test(justification)) {
      throw new AppError(
        'invalid_request',
        `justification must be at least ${minJustificationLength} characters of text`,
        {
          reason: 'break_glass_justification',
        },
      );
    }
    const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
    if (!/^[A-Za-z][A-Za-z0-9 _-]{1,63}$/.test(reason)) {
      throw new AppError('invalid_request', 'reason must be a short code, e.g. "emergency"', {
        reason: 'break_glass_reason',
      });
    }
    const minutes = body.minutes === undefined ? options.defaultMinutes : body.minutes;
    if (
      typeof minutes !== 'number' ||
      !Number.isInteger(minutes) ||
      minutes < 1 ||
      minutes > options.maxMinutes
    ) {
      throw new AppError('invalid_request', `minutes must be an integer from 1 to ${options.maxMinutes}`, {
        reason: 'break_glass_window',
      });
    }
    const patient = await db
      .selectFrom('authz_patient')
      .select('institution_id')
      .where('patient_id', '=', patientId)
      .executeTakeFirst();
    // Unknown and invisible patients answer alike: break-glass is no oracle for patient ids.
    if (!patient) throw new AppError('not_found', 'Patient not found');

    const active = await find(ctx.subject, patientId);
    if (active) return active;
    const created = now();
    const grant = {
      id: randomUUID(),
      subject: ctx.subject,
      practitioner_id: ctx.practitionerId ?? null,
      institution_id: ctx.institution ?? null,
      roles: [...ctx.roles],
      patient_id: patientId,
      patient_institution: patient.institution_id,
      justification,
      reason,
      created_at: created,
      expires_at: new Date(created.getTime() + minutes * 60_000),
    };
    const payload = JSON.stringify({
      patientId,
      clinician: ctx.subject,
      reason,
      justification,
      expiresAt: grant.expires_at.toISOString(),
    });
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('authz_break_glass').values(grant).execute();
      const offices = new Set([patient.institution_id, ctx.institution].filter((x): x is string => !!x));
      await trx
        .insertInto('authz_notification')
        .values([
          {
            id: randomUUID(),
            grant_id: grant.id,
            recipient_kind: 'patient',
            recipient: patientId,
            payload,
            last_error: null,
          },
          ...[...offices].map((office) => ({
            id: randomUUID(),
            grant_id: grant.id,
            recipient_kind: 'privacy-office' as const,
            recipient: office,
            payload,
            last_error: null,
          })),
        ])
        .execute();
    });
    await deliverPending(db, options.delivery, grant.id);
    return toGrant(grant);
  }

  async function find(subject: string, patientId: string): Promise<ActiveGrant | undefined> {
    const row = await db
      .selectFrom('authz_break_glass')
      .selectAll()
      .where('subject', '=', subject)
      .where('patient_id', '=', patientId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now())
      .orderBy('expires_at', 'desc')
      .executeTakeFirst();
    return row ? toGrant(row) : undefined;
  }

  /** The grant a request runs under: only with purpose BTG/ETREAT, only for its own clinician and patient. */
  async function activeFor(ctx: RequestContext, patientId: string): Promise<ActiveGrant | undefined> {
    if (ctx.kind !== 'user' || !ctx.subject || !ctx.purpose || !emergencyPurposes.has(ctx.purpose))
      return undefined;
    if (!ctx.roles.some((r) => clinicalRoles.includes(r))) return undefined;
    return find(ctx.subject, patientId);
  }

  async function activeList(ctx: RequestContext) {
    if (!ctx.subject) return [];
    const rows = await db
      .selectFrom('authz_break_glass')
      .selectAll()
      .where('subject', '=', ctx.subject)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now())
      .orderBy('expires_at')
      .execute();
    const at = now().getTime();
    return rows.map((row) => {
      const g = toGrant(row);
      return { ...g, remainingSeconds: Math.max(0, Math.floor((g.expiresAt.getTime() - at) / 1000)) };
    });
  }

  async function reviews(ctx: RequestContext, filter: { pending?: boolean } = {}) {
    requireOfficer(ctx);
    let query = db
      .selectFrom('authz_break_glass')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('patient_institution', '=', ctx.institution!),
          eb('institution_id', '=', ctx.institution!),
        ]),
      );
    if (filter.pending) query = query.where('acknowledged_at', 'is', null);
    return query.orderBy('created_at', 'desc').limit(500).execute();
  }

  async function acknowledge(ctx: RequestContext, id: string, comment: unknown) {
    requireOfficer(ctx);
    const text = typeof comment === 'string' ? comment.trim() : '';
    if (text.length === 0 || text.length > 4000) {
      throw new AppError('invalid_request', 'comment is required (up to 4000 characters)', {
        reason: 'review_comment',
      });
    }
    const updated = await db
      .updateTable('authz_break_glass')
      .set({ acknowledged_at: now(), acknowledged_by: ctx.subject!, review_comment: text })
      .where('id', '=', id)
      .where('acknowledged_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('patient_institution', '=', ctx.institution!),
          eb('institution_id', '=', ctx.institution!),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      const exists = await db
        .selectFrom('authz_break_glass')
        .select('acknowledged_at')
        .where('id', '=', id)
        .where((eb) =>
          eb.or([
            eb('patient_institution', '=', ctx.institution!),
            eb('institution_id', '=', ctx.institution!),
          ]),
        )
        .executeTakeFirst();
      if (exists) throw new AppError('conflict', 'This break-glass access was already acknowledged');
      throw new AppError('not_found', 'Break-glass grant not found');
    }
    return updated;
  }

  return { open, find, activeFor, activeList, reviews, acknowledge };
}

export type BreakGlassService = ReturnType<typeof createBreakGlass>;

function requireOfficer(ctx: RequestContext): void {
  if (ctx.kind !== 'user' || !ctx.roles.includes('privacy-officer') || !ctx.institution || !ctx.subject) {
    throw new AppError('forbidden', 'Privacy officers only', { reason: 'privacy_officer_only' });
  }
}
