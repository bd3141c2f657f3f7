import type { AuditAction, AuditEvent, AuditLog } from '../audit/index.ts';
import type { AccessDecision, AccessPolicy, RecordAction, ResourceFacts } from '../authz/access-policy.ts';
import { sql } from 'kysely';
import { inCallerTransaction, type Database } from '../../platform/db/index.ts';
import type { RequestContext } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { DataKeyRing } from '../keys/index.ts';
import type { StoredRow } from './store.ts';

/** What every records session needs; the composition root supplies the real policy and ledger. */
export interface RecordsDeps {
  database: Database;
  policy: AccessPolicy;
  audit: AuditLog;
  keys: DataKeyRing;
}

export function factsOf(row: StoredRow): ResourceFacts {
  return {
    resourceType: row.resource_type,
    id: row.id,
    ...(row.patient_id ? { patientId: row.patient_id } : {}),
    institutionId: row.institution_id,
    category: row.category,
    security: row.security,
  };
}

/** The audit event for one resource under a decision. */
export function auditEvent(
  action: AuditAction,
  facts: ResourceFacts,
  decision: AccessDecision | undefined,
  outcome: AuditEvent['outcome'],
): AuditEvent {
  return {
    action,
    outcome,
    ...(facts.patientId ? { patientId: facts.patientId } : {}),
    resourceType: facts.resourceType,
    ...(facts.id ? { resourceIds: [facts.id] } : {}),
    category: facts.category,
    sensitivity: facts.security,
    ...(decision ? { policyIds: decision.policyIds, reason: decision.reason } : {}),
    ...(decision?.breakGlass ? { breakGlass: decision.breakGlass } : {}),
  };
}

/**
 * A denied read: audited, then answered as not-found unless the caller may know the resource exists
 * (then 403 with the reason code). The two not-found cases carry identical messages.
 */
export async function denyRead(
  deps: RecordsDeps,
  ctx: RequestContext,
  action: AuditAction,
  facts: ResourceFacts,
  decision: AccessDecision,
): Promise<never> {
  await deps.audit.append(ctx, auditEvent(action, facts, decision, 'deny'));
  if (decision.disclose) {
    throw new AppError('forbidden', `Access denied (${decision.reason})`, { reason: decision.reason });
  }
  throw notFound(facts.resourceType, facts.id ?? '');
}

export async function denyWrite(
  deps: RecordsDeps,
  ctx: RequestContext,
  action: AuditAction,
  facts: ResourceFacts,
  decision: AccessDecision,
): Promise<never> {
  await deps.audit.append(ctx, auditEvent(action, facts, decision, 'deny'));
  throw new AppError('forbidden', `Access denied (${decision.reason})`, { reason: decision.reason });
}

export function notFound(type: string, id: string): AppError {
  return new AppError('not_found', `Resource ${type}/${id} is not known`);
}

/**
 * Pharmacists may read renal and hepatic labs only (SPEC §3), which the policy tells apart by code: for
 * them, the lab rows' codes come from the search index (plain `c:code` tokens; nothing else is read).
 */
async function labCodesFor(
  deps: RecordsDeps,
  ctx: RequestContext,
  rows: readonly StoredRow[],
): Promise<Map<string, string[]>> {
  const codes = new Map<string, string[]>();
  const labs = rows.filter((r) => r.category === 'labs');
  if (!ctx.roles.includes('pharmacist') || labs.length === 0) return codes;
  const found = await inCallerTransaction(deps.database, ctx, (trx) =>
    sql<{ key: string; token: string }>`
      select resource_type || '/' || id as key, token from resource_search
      where param = 'code' and token like 'c:%'
        and (resource_type, id) in (${sql.join(labs.map((r) => sql`(${r.resource_type}, ${r.id})`))})`.execute(
      trx,
    ),
  );
  for (const { key, token } of found.rows) codes.set(key, [...(codes.get(key) ?? []), token.slice(2)]);
  return codes;
}

/** Decisions for many rows in one call; an empty list makes no call. */
export async function decideRows(
  deps: RecordsDeps,
  ctx: RequestContext,
  action: RecordAction,
  rows: readonly StoredRow[],
): Promise<AccessDecision[]> {
  if (rows.length === 0) return [];
  const codes = await labCodesFor(deps, ctx, rows);
  const facts = rows.map((row) => {
    const f = factsOf(row);
    const rowCodes = codes.get(`${row.resource_type}/${row.id}`);
    return rowCodes ? { ...f, codes: rowCodes } : f;
  });
  // Epochs read with the rows spare the policy a shared-cache round trip per patient.
  const epochs = new Map<string, number>();
  for (const row of rows) {
    if (row.patient_id && row.epoch !== undefined) epochs.set(row.patient_id, Number(row.epoch ?? 0));
  }
  const decisions = await deps.policy.decideMany(ctx, action, facts, epochs);
  if (decisions.length !== rows.length)
    throw new AppError('internal', 'Access policy answered the wrong count');
  return decisions;
}
