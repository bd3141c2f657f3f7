import type { RequestContext } from '../../platform/context/index.ts';
import type { AccessDecision, RecordAction, ResourceFacts } from './access-policy.ts';
import { authorize, type CedarEntity, type CedarRequest, type LoadedPolicySet } from './cedar-engine.ts';
import { restrictedOf, type ConsentView } from './consent-rules.ts';
import type { RelationshipView } from './care-relationships.ts';

/** What the policy sees about the principal's standing with one patient, for one request. */
export interface PatientView {
  rel: RelationshipView;
  consent: ConsentView;
  /** The active break-glass grant for this patient, if the request is made under one. */
  grant: { grantId: string; justification: string; expiresAt: Date } | undefined;
}

const emptyView: PatientView = {
  rel: { careTeam: false, encounter: false, ordered: [], ended: false, careTeams: [] },
  consent: { denied: [], permitted: [], permittedLabels: [], researchOptIn: false },
  grant: undefined,
};
export const noPatientView = emptyView;

/** LOINC codes of renal and hepatic function tests: the labs a pharmacist may read (SPEC §3). */
const renalHepaticLoinc = new Set(
  (
    '2160-0 38483-4 33914-3 62238-1 98979-8 48642-3 48643-1 3094-0 6299-2 2823-3 2951-2 ' +
    '1742-6 1744-2 1920-8 30239-8 1975-2 1968-7 6768-6 1751-7 2324-2 5902-2 6301-6 34714-6'
  ).split(' '),
);

function tagsOf(facts: ResourceFacts): string[] {
  return facts.codes?.some((c) => renalHepaticLoinc.has(c)) ? ['renal-hepatic'] : [];
}

const clinical = ['physician', 'nurse', 'pharmacist', 'lab-technician', 'radiology'];

/** Fails (returning a reason) rather than guessing when a fact the policies need is absent. */
export function missingAttribute(ctx: RequestContext, facts: ResourceFacts): string | undefined {
  if (typeof facts.resourceType !== 'string' || facts.resourceType === '') return 'resourceType';
  if (typeof facts.institutionId !== 'string' || facts.institutionId === '') return 'institutionId';
  if (typeof facts.category !== 'string' || facts.category === '') return 'category';
  if (!Array.isArray(facts.security)) return 'security';
  if (ctx.kind === 'user' && !ctx.institution && !ctx.patientId && ctx.delegations.length === 0)
    return 'institution';
  return undefined;
}

export function buildRequest(
  ctx: RequestContext,
  action: RecordAction,
  facts: ResourceFacts,
  view: PatientView,
  breakGlass: boolean,
): CedarRequest {
  const resourceUid = { type: 'Carebase::Record', id: facts.id ?? '(new)' };
  const record: CedarEntity = {
    uid: resourceUid,
    attrs: {
      type: facts.resourceType,
      patient: facts.patientId ?? '',
      institution: facts.institutionId,
      category: facts.category,
      security: [...facts.security],
      restricted: restrictedOf(facts.security),
      tags: tagsOf(facts),
    },
    parents: [],
  };
  const system = ctx.kind === 'system';
  const principalUid = system
    ? { type: 'Carebase::System', id: 'system' }
    : { type: 'Carebase::User', id: ctx.subject ?? '' };
  const entities: CedarEntity[] = [record];
  if (!system) {
    entities.push({
      uid: principalUid,
      attrs: {
        roles: [...ctx.roles],
        institution: ctx.institution ?? '',
        practitioner: ctx.practitionerId ?? '',
        patient: ctx.patientId ?? '',
        delegations: [...ctx.delegations],
      },
      parents: [],
    });
  }
  return {
    principal: principalUid,
    action,
    resource: resourceUid,
    entities,
    context: {
      purpose: ctx.purpose ?? '',
      breakGlass,
      rel: {
        careTeam: view.rel.careTeam,
        encounter: view.rel.encounter,
        ordered: view.rel.ordered,
        ended: view.rel.ended,
      },
      consent: {
        denied: view.consent.denied,
        permitted: view.consent.permitted,
        permittedLabels: view.consent.permittedLabels,
        researchOptIn: view.consent.researchOptIn,
      },
    },
  };
}

/** Whether the caller may learn that the resource exists (then a denial is a 403 with its reason). */
function mayKnow(ctx: RequestContext, facts: ResourceFacts, view: PatientView): boolean {
  if (ctx.kind === 'system') return true;
  const patient = facts.patientId;
  if (patient && (patient === ctx.patientId || ctx.delegations.includes(patient))) return true;
  if (view.grant) return true;
  if (facts.institutionId !== ctx.institution) return false;
  if (!patient) return true;
  return ctx.roles.some((r) => clinical.includes(r) || r === 'billing');
}

/** One decision: Cedar's answer turned into the audit's policy ids, reason code and break-glass flag. */
export function decideOne(
  set: LoadedPolicySet,
  ctx: RequestContext,
  action: RecordAction,
  facts: ResourceFacts,
  view: PatientView,
): AccessDecision {
  if (ctx.kind === 'anonymous')
    return { allow: false, policyIds: [], reason: 'unauthenticated', disclose: false };
  const missing = missingAttribute(ctx, facts);
  if (missing)
    return { allow: false, policyIds: [], reason: `missing_attribute:${missing}`, disclose: false };
  const disclose = mayKnow(ctx, facts, view);
  const underGrant = view.grant !== undefined && ctx.kind === 'user';
  const answer = authorize(set, buildRequest(ctx, action, facts, view, underGrant));
  if (answer.errors.length > 0) {
    return { allow: false, policyIds: answer.determining, reason: 'policy_error', disclose: false };
  }
  const metas = answer.determining
    .map((id) => set.policies.get(id))
    .filter((m) => m !== undefined)
    .sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id));
  if (!answer.allow) {
    const reason = metas.find((m) => m.effect === 'forbid')?.reason ?? 'role_category';
    return { allow: false, policyIds: metas.map((m) => m.id), reason, disclose };
  }
  const decision: AccessDecision = {
    allow: true,
    policyIds: metas.map((m) => m.id),
    reason: metas[0]?.reason ?? 'permitted',
    disclose: true,
  };
  if (underGrant && view.grant) {
    decision.breakGlass = { grantId: view.grant.grantId, justification: view.grant.justification };
    // Name what the grant overrode, so the review sees which boundary was crossed.
    const without = authorize(set, buildRequest(ctx, action, facts, view, false));
    if (!without.allow) {
      const overridden = without.determining.filter((id) => set.policies.get(id)?.effect === 'forbid');
      return { ...decision, reason: 'break_glass', policyIds: [...decision.policyIds, ...overridden] };
    }
  }
  return decision;
}
