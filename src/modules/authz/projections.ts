import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';
import type { ResourceFacts } from './access-policy.ts';
import { careRelationships } from './care-relationships.ts';
import { consentRules } from './consent-rules.ts';
import type { AuthzDB } from './db-types.ts';
import { obj, referenceOf, str, type Json } from './fhir-parse.ts';

const relationshipTypes = new Set([
  'CareTeam',
  'Encounter',
  'ServiceRequest',
  'DiagnosticReport',
  'Observation',
  'ImagingStudy',
]);

export type WrittenResource = { resourceType: string; id: string; [key: string]: unknown };

/** Whether the write removes the resource (the records store passes `deleted: true` with the last body). */
function isDeletion(resource: WrittenResource): boolean {
  return resource.deleted === true;
}

function patientOf(resource: WrittenResource, facts: ResourceFacts): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  if (facts.patientId) return facts.patientId;
  const ref = referenceOf(resource.patient) ?? referenceOf(resource.subject);
  return ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
}

/**
 * Keeps the authorization projections in step with one written resource, inside the write's transaction.
 * Returns the patient and new epoch when the write changed what the policy sees for that patient.
 */
export async function projectResource(
  trx: Kysely<AuthzDB>,
  ctx: RequestContext,
  resource: WrittenResource,
  facts: ResourceFacts,
): Promise<{ patientId: string; epoch: number } | undefined> {
  const patientId = patientOf(resource, facts);
  if (!patientId) return undefined;
  const deleted = isDeletion(resource);
  const type = resource.resourceType;
  let changed = false;

  if (type === 'Patient') {
    await trx
      .insertInto('authz_patient')
      .values({ patient_id: patientId, institution_id: facts.institutionId, epoch: 0 })
      .onConflict((oc) => oc.column('patient_id').doUpdateSet({ institution_id: facts.institutionId }))
      .execute();
    changed = true;
  } else if (type === 'Consent') {
    await trx.deleteFrom('authz_consent_rule').where('consent_id', '=', resource.id).execute();
    const rules = deleted ? [] : consentRules(resource as Json, resource.id, patientId);
    if (rules.length > 0) {
      await trx
        .insertInto('authz_consent_rule')
        .values(
          rules.map((r) => ({
            consent_id: r.consentId,
            seq: r.seq,
            patient_id: r.patientId,
            status: r.status,
            effect: r.effect,
            actors: r.actors,
            purposes: r.purposes,
            categories: r.categories,
            labels: r.labels,
            research: r.research,
            period_start: r.periodStart ?? null,
            period_end: r.periodEnd ?? null,
          })),
        )
        .execute();
    }
    // The receipt: who changed which consent to what, and when (the version history keeps the bodies).
    await trx
      .insertInto('authz_consent_receipt')
      .values({
        consent_id: resource.id,
        patient_id: patientId,
        version_id: str(obj(resource.meta)?.versionId) ?? null,
        status: deleted ? 'deleted' : (str(resource.status) ?? 'unknown'),
        changed_by: ctx.subject ?? ctx.kind,
        summary: JSON.stringify(
          rules.map(({ effect, actors, purposes, categories, labels, research, periodStart, periodEnd }) => ({
            effect,
            actors,
            purposes,
            categories,
            labels,
            research,
            periodStart,
            periodEnd,
          })),
        ),
      })
      .execute();
    changed = true;
  } else if (relationshipTypes.has(type)) {
    const removed = await trx
      .deleteFrom('authz_care_relationship')
      .where('source_type', '=', type)
      .where('source_id', '=', resource.id)
      .executeTakeFirst();
    const rows = deleted
      ? []
      : careRelationships(resource as Json & WrittenResource, patientId, facts.category);
    if (rows.length > 0) {
      await trx
        .insertInto('authz_care_relationship')
        .values(
          rows.map((r) => ({
            source_type: r.sourceType,
            source_id: r.sourceId,
            seq: r.seq,
            patient_id: r.patientId,
            kind: r.kind,
            member: r.member,
            category: r.category ?? null,
            care_team_id: r.careTeamId ?? null,
            active: r.active,
            period_start: r.periodStart ?? null,
            period_end: r.periodEnd ?? null,
          })),
        )
        .execute();
    }
    changed = rows.length > 0 || Number(removed.numDeletedRows) > 0;
  }
  if (!changed) return undefined;
  return { patientId, epoch: await bumpEpoch(trx, patientId) };
}

/** The per-patient epoch, bumped in the writing transaction (row lock: concurrent bumps serialize). */
export async function bumpEpoch(trx: Kysely<AuthzDB>, patientId: string): Promise<number> {
  const { rows } = await sql<{ epoch: string }>`
    insert into authz_patient (patient_id, epoch) values (${patientId}, 1)
    on conflict (patient_id) do update set epoch = authz_patient.epoch + 1
    returning epoch`.execute(trx);
  return Number(rows[0]!.epoch);
}
