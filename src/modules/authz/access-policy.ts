import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';

/**
 * The contract between the records service and the authorization module. Records derives the facts of
 * each resource (never trusting the client), asks for a decision on every read, search result and write,
 * and audits the outcome with the decision's policy ids and reason.
 */
export type RecordAction = 'read' | 'search' | 'create' | 'update' | 'delete' | 'history' | 'export';

export interface ResourceFacts {
  resourceType: string;
  /** Absent for a create before the id is assigned. */
  id?: string;
  /** The patient compartment; absent for resources outside any (Practitioner, Organization, …). */
  patientId?: string;
  institutionId: string;
  /** Record category derived on write (`demographics`, `labs`, …). */
  category: string;
  /** Confidentiality and sensitivity codes from `meta.security` (`N`, `R`, `V`, `PSY`, `HIV`, …). */
  security: readonly string[];
  /**
   * Optional clinical codes (LOINC, SNOMED) of the resource, e.g. to let a pharmacist read renal and hepatic
   * labs only. Absent: rules that depend on codes do not apply (they only ever narrow access).
   */
  codes?: readonly string[];
}

export interface AccessDecision {
  allow: boolean;
  /** Ids of the policies that decided (Cedar policy ids), for the audit entry. */
  policyIds: readonly string[];
  /** Machine-readable reason code, e.g. `consent_denied`, `no_care_relationship`, `role_category`. */
  reason: string;
  /** The caller may know the resource exists, so a denial is a 403 with the reason instead of a 404. */
  disclose: boolean;
  /** Set when the decision relied on an active break-glass grant; every audit entry under it is flagged. */
  breakGlass?: { grantId: string; justification: string };
}

export interface AccessPolicy {
  decide(ctx: RequestContext, action: RecordAction, resource: ResourceFacts): Promise<AccessDecision>;
  /**
   * One decision per resource, in order; shares the per-request work (consent state, relationships).
   * `epochs`: the patients' consent epochs (`authz_patient.epoch`, 0 when absent) read in the same
   * statement as the rows, which saves asking the shared cache; a snapshot's epoch is never older than
   * the state that snapshot's rows were written under, so a revocation committed before the read is seen.
   */
  decideMany(
    ctx: RequestContext,
    action: RecordAction,
    resources: readonly ResourceFacts[],
    epochs?: ReadonlyMap<string, number>,
  ): Promise<AccessDecision[]>;
  /**
   * Called by the records store inside its write transaction for every resource written (create, update,
   * delete, bundle entry, seed), so the consent, care-relationship and epoch projections commit or roll
   * back with the write itself. For a delete, pass the last body with `deleted: true`.
   */
  projectWrite(
    trx: Kysely<unknown>,
    ctx: RequestContext,
    resource: { resourceType: string; id: string; [key: string]: unknown },
    facts: ResourceFacts,
  ): Promise<void>;
}
