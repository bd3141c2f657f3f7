import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AccessDecision, ResourceFacts } from '../authz/access-policy.ts';
import type { RequestContext } from '../../platform/context/index.ts';
import { inCallerTransaction } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { keyOwnerFor } from '../keys/index.ts';
import { auditEvent, denyRead, denyWrite, factsOf, notFound, type RecordsDeps } from './access.ts';
import { deriveCategory, deriveSecurityLabels, securityLabelCodings } from './classification.ts';
import { compartmentPath } from './resource-types.ts';
import { indexEntries, referenceOf } from './search-index.ts';
import { patientInstitution, sealResource, selectCurrent, writeVersion, type StoredRow } from './store.ts';
import type { FhirResource } from './validation.ts';

/** A write decided before its transaction opens (the policy may query the database itself). */
export interface PlannedWrite {
  action: 'create' | 'update';
  resource: FhirResource & { id: string };
  current: StoredRow | undefined;
  ifMatch: number | undefined;
  facts: ResourceFacts;
  decision?: AccessDecision;
}

export interface PlanOptions {
  /** Patients created earlier in the same transaction Bundle: id → institution. */
  pending?: Map<string, string>;
  /** Trusted callers only (bulk load): the institution for resources that do not derive one. */
  institutionId?: string;
  /** A create's id assigned ahead (transaction Bundles rewrite `urn:uuid` references to it first). */
  id?: string;
}

/** The patient a resource's compartment reference names; required for compartment types. */
function compartmentOf(resource: FhirResource & { id: string }): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  const path = compartmentPath[resource.resourceType];
  if (!path) return undefined;
  const ref = referenceOf(resource[path]);
  if (!ref?.startsWith('Patient/')) {
    throw new AppError('validation_failed', `${resource.resourceType}.${path} must reference a Patient`, {
      issues: [{ path: `${resource.resourceType}.${path}`, message: 'Must reference a Patient' }],
    });
  }
  return ref.slice('Patient/'.length);
}

export async function planWrite(
  trx: Kysely<unknown>,
  ctx: RequestContext,
  incoming: FhirResource,
  action: 'create' | 'update',
  ifMatch: number | undefined,
  options: PlanOptions = {},
): Promise<PlannedWrite> {
  const id = action === 'create' ? (options.id ?? randomUUID()) : (incoming.id as string);
  const resource = { ...incoming, id };
  const current = action === 'update' ? await selectCurrent(trx, resource.resourceType, id) : undefined;
  if (action === 'update' && (!current || current.deleted)) throw notFound(resource.resourceType, id);
  if (ifMatch !== undefined && current && current.version_id !== ifMatch) {
    throw new AppError('precondition_failed', `Version mismatch: the current version is not ${ifMatch}`);
  }
  const patientId = compartmentOf(resource);
  let institutionId: string | undefined;
  if (current) institutionId = current.institution_id;
  else if (patientId && resource.resourceType !== 'Patient') {
    institutionId = options.pending?.get(patientId) ?? (await patientInstitution(trx, patientId));
    if (!institutionId) {
      throw new AppError('validation_failed', 'The referenced patient is not known', {
        issues: [
          {
            path: `${resource.resourceType}.${compartmentPath[resource.resourceType]}`,
            message: 'Unknown patient',
          },
        ],
      });
    }
  } else institutionId = options.institutionId ?? ctx.institution;
  if (!institutionId) throw new AppError('unprocessable', 'No institution to file this resource under');
  if (resource.resourceType === 'Patient') options.pending?.set(id, institutionId);
  const facts: ResourceFacts = {
    resourceType: resource.resourceType,
    id,
    ...(patientId ? { patientId } : {}),
    institutionId,
    category: deriveCategory(resource),
    security: deriveSecurityLabels(resource),
  };
  return { action, resource, current, ifMatch, facts };
}

/** Decides a planned write: an update needs both the old and the new resource to be writable. */
export async function authorizeWrite(
  deps: RecordsDeps,
  ctx: RequestContext,
  plan: PlannedWrite,
): Promise<void> {
  if (plan.current) {
    const [old, next] = await deps.policy.decideMany(ctx, 'update', [factsOf(plan.current), plan.facts]);
    if (!old!.allow) {
      if (old!.disclose) await denyWrite(deps, ctx, 'update', factsOf(plan.current), old!);
      await denyRead(deps, ctx, 'update', factsOf(plan.current), old!);
    }
    if (!next!.allow) await denyWrite(deps, ctx, 'update', plan.facts, next!);
    plan.decision = next;
    return;
  }
  const decision = await deps.policy.decide(ctx, 'create', plan.facts);
  if (!decision.allow) await denyWrite(deps, ctx, 'create', plan.facts, decision);
  plan.decision = decision;
}

/**
 * Writes a decided plan inside the caller's write transaction: re-checks the version under a row lock
 * (concurrent updates are detected), encrypts under the patient's data key, indexes, projects for authz,
 * and audits before the transaction commits (an audit failure rolls the write back).
 */
export async function commitWrite(
  deps: RecordsDeps,
  ctx: RequestContext,
  trx: Kysely<unknown>,
  plan: PlannedWrite,
): Promise<{ resource: FhirResource & { id: string }; version: number }> {
  const { resource, facts } = plan;
  let version = 1;
  if (plan.current) {
    const locked = await selectCurrent(trx, resource.resourceType, resource.id, true);
    if (!locked || locked.version_id !== plan.current.version_id) {
      if (plan.ifMatch !== undefined)
        throw new AppError('precondition_failed', 'The resource was changed meanwhile');
      throw new AppError('conflict', 'The resource was changed concurrently; retry with the new version');
    }
    version = locked.version_id + 1;
  }
  const lastUpdated = new Date().toISOString();
  const meta = (resource.meta ?? {}) as Record<string, unknown>;
  const stored = {
    ...resource,
    meta: {
      ...meta,
      versionId: String(version),
      lastUpdated,
      security: securityLabelCodings(facts.security as Parameters<typeof securityLabelCodings>[0]),
    },
  };
  const owner = keyOwnerFor(facts.institutionId, facts.patientId ?? null);
  const dek = await deps.keys.forWrite(trx, owner);
  await writeVersion(trx, {
    resource: stored,
    version,
    patientId: facts.patientId ?? null,
    institutionId: facts.institutionId,
    category: facts.category,
    security: [...facts.security],
    lastUpdated,
    keyOwner: owner.owner,
    sealed: sealResource(dek, stored, version),
    index: await indexEntries(stored, (v) => deps.keys.blindIndex(v)),
  });
  await deps.policy.projectWrite(trx, ctx, stored, facts);
  await deps.audit.append(ctx, auditEvent(plan.action, facts, plan.decision, 'permit'));
  return { resource: stored, version };
}

export function inWriteTransaction<T>(
  deps: Pick<RecordsDeps, 'database'>,
  ctx: RequestContext,
  fn: (trx: Kysely<unknown>) => Promise<T>,
) {
  return inCallerTransaction(deps.database, ctx, (trx) => fn(trx as unknown as Kysely<unknown>));
}

export async function writeOne(
  deps: RecordsDeps,
  ctx: RequestContext,
  resource: FhirResource,
  action: 'create' | 'update',
  ifMatch?: number,
) {
  const plan = await inWriteTransaction(deps, ctx, (trx) => planWrite(trx, ctx, resource, action, ifMatch));
  await authorizeWrite(deps, ctx, plan);
  return inWriteTransaction(deps, ctx, (trx) => commitWrite(deps, ctx, trx, plan));
}
