import type { RequestContext } from '../../../platform/context/index.ts';
import type { AuditAction, AuditEvent } from '../audit-log.ts';
import { canonicalJson } from './canonical-json.ts';

/**
 * One ledger entry exactly as hashed: who, what, when, where, why and outcome. Its canonical JSON is the
 * Merkle leaf; `index` is the entry's own position, so a moved or swapped entry names itself.
 */
export interface AuditEntry {
  v: 1;
  index: number;
  /** ISO 8601 with milliseconds, UTC. */
  at: string;
  requestId: string;
  actor: {
    kind: RequestContext['kind'];
    subject?: string;
    roles: string[];
    institution?: string;
    client?: string;
    practitioner?: string;
    patient?: string;
    systemReason?: string;
  };
  action: AuditAction;
  patient?: string;
  resourceType?: string;
  resourceIds?: string[];
  category?: string;
  sensitivity?: string[];
  where: { ip?: string; userAgent?: string };
  purpose?: string;
  breakGlass?: { grantId: string; justification: string; expiresAt?: string };
  outcome: AuditEvent['outcome'];
  policyIds?: string[];
  reason?: string;
  detail?: Record<string, string | number | boolean>;
}

/** The queryable columns derived from an entry; `verify` checks they still match the hashed bytes. */
export interface EntryColumns {
  seq: number;
  at: string;
  patient_id: string | null;
  subject: string | null;
  institution: string | null;
  action: string;
  category: string | null;
  purpose: string | null;
  outcome: string;
  break_glass: boolean;
  request_id: string;
}

const MAX_USER_AGENT = 512;

/** Grants recorded on an access only when they cover the patient touched (or the event names none). */
function breakGlassOf(ctx: RequestContext, event: AuditEvent): AuditEntry['breakGlass'] {
  const grant = event.breakGlass ?? ctx.breakGlass;
  if (!grant) return undefined;
  if (!event.breakGlass && event.patientId && ctx.breakGlass?.patientId !== event.patientId) return undefined;
  return {
    grantId: grant.grantId,
    justification: grant.justification,
    expiresAt: grant.expiresAt?.toISOString(),
  };
}

export function buildEntry(ctx: RequestContext, event: AuditEvent, index: number, at: Date): AuditEntry {
  return {
    v: 1,
    index,
    at: at.toISOString(),
    requestId: ctx.requestId,
    actor: {
      kind: ctx.kind,
      subject: ctx.subject,
      roles: [...ctx.roles],
      institution: ctx.institution,
      client: ctx.clientId,
      practitioner: ctx.practitionerId,
      patient: ctx.patientId,
      systemReason: ctx.systemReason,
    },
    action: event.action,
    patient: event.patientId,
    resourceType: event.resourceType,
    resourceIds: event.resourceIds ? [...event.resourceIds] : undefined,
    category: event.category,
    sensitivity: event.sensitivity ? [...event.sensitivity] : undefined,
    where: { ip: ctx.ip, userAgent: ctx.userAgent?.slice(0, MAX_USER_AGENT) },
    purpose: ctx.purpose,
    breakGlass: breakGlassOf(ctx, event),
    outcome: event.outcome,
    policyIds: event.policyIds ? [...event.policyIds] : undefined,
    reason: event.reason,
    detail: event.detail,
  };
}

export function serializeEntry(entry: AuditEntry): string {
  return canonicalJson(entry as unknown as Parameters<typeof canonicalJson>[0]);
}

export function entryColumns(entry: AuditEntry): EntryColumns {
  return {
    seq: entry.index,
    at: entry.at,
    patient_id: entry.patient ?? null,
    subject: entry.actor.subject ?? null,
    institution: entry.actor.institution ?? null,
    action: entry.action,
    category: entry.category ?? null,
    purpose: entry.purpose ?? null,
    outcome: entry.outcome,
    break_glass: entry.breakGlass !== undefined,
    request_id: entry.requestId,
  };
}

/** Parses stored entry text; undefined when it is not a complete entry (e.g. a torn write). */
export function parseEntry(text: string): AuditEntry | undefined {
  try {
    const value = JSON.parse(text) as AuditEntry;
    if (typeof value !== 'object' || value === null || value.v !== 1 || !Number.isSafeInteger(value.index)) {
      return undefined;
    }
    return value;
  } catch {
    return undefined;
  }
}
