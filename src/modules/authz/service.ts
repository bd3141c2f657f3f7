import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Cache } from '../../platform/cache/index.ts';
import type { RequestContext } from '../../platform/context/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { AccessDecision, AccessPolicy, RecordAction, ResourceFacts } from './access-policy.ts';
import { createBreakGlass, type BreakGlassService } from './break-glass.ts';
import { defaultWindows, relationshipView, type RelationshipWindows } from './care-relationships.ts';
import { defaultPolicyDir, loadPolicySet, type LoadedPolicySet } from './cedar-engine.ts';
import { consentView } from './consent-rules.ts';
import type { AuthzDB } from './db-types.ts';
import { decideOne, missingAttribute, noPatientView, type PatientView } from './decision.ts';
import { storedOnlyDelivery, type NotificationDelivery } from './notifications.ts';
import { PatientStateCache, type PatientState } from './patient-state.ts';
import { projectResource } from './projections.ts';

export interface AccessPolicyDeps {
  database: Database;
  /** Shared epochs and invalidation: in-process in embedded mode, Redis in production. */
  cache: Cache;
  policyDir?: string;
  breakGlass?: { defaultMinutes: number; maxMinutes: number };
  delivery?: NotificationDelivery;
  windows?: RelationshipWindows;
  now?: () => Date;
}

/** The authorization service: the contract plus what the composition root and the routes use. */
export interface Authorization extends AccessPolicy {
  /** Version of the loaded policy set (`sha256:…`), recorded with decisions. */
  readonly policyVersion: string;
  readonly policySet: LoadedPolicySet;
  /** Re-reads and re-validates the policy files; on any error the running set stays in force. */
  reload(): Promise<string>;
  readonly breakGlass: BreakGlassService;
  /** Per-patient view for one principal (tests and the research export use it). */
  viewFor(ctx: RequestContext, patientId: string): Promise<PatientView>;
  stats(): { decisionCacheSize: number; patientStateCacheSize: number };
  close(): Promise<void>;
}

/** What a cached decision depends on about the caller and the action (computed once per call). */
function callerKey(ctx: RequestContext, action: RecordAction): string {
  return [
    ctx.kind,
    ctx.subject ?? '',
    ctx.roles.join(','),
    ctx.institution ?? '',
    ctx.practitionerId ?? '',
    ctx.patientId ?? '',
    ctx.delegations.join(','),
    ctx.purpose ?? '',
    action,
  ].join('|');
}

/** What a cached decision depends on about the resource (rows with equal keys share one decision). */
function factsKey(f: ResourceFacts): string {
  return [
    f.resourceType,
    f.patientId ?? '',
    f.institutionId,
    f.category,
    f.security.join(','),
    f.codes?.join(',') ?? '',
  ].join('|');
}

/** Every instant at which a time-bounded rule or relationship changes what the state means, ascending. */
function boundariesOf(state: PatientState, windows: RelationshipWindows): number[] {
  const times: number[] = [];
  const consider = (t: number | undefined) => {
    if (t !== undefined) times.push(t);
  };
  for (const r of state.rules) {
    consider(r.periodStart?.getTime());
    consider(r.periodEnd?.getTime());
  }
  for (const r of state.relationships) {
    consider(r.periodStart?.getTime());
    const end = r.periodEnd ?? (r.kind === 'order' ? r.periodStart : undefined);
    const grace =
      r.kind === 'encounter' ? windows.encounterFollowUpMs : r.kind === 'order' ? windows.orderMs : 0;
    if (end) consider(end.getTime() + grace);
  }
  return times.sort((a, b) => a - b);
}

/**
 * The next instant after `now` at which the state's meaning changes. A cached state object never changes
 * (a write makes a new one under a new epoch), so its boundaries are computed once per state.
 */
function nextBoundary(
  cache: WeakMap<PatientState, number[]>,
  state: PatientState,
  windows: RelationshipWindows,
  now: number,
): number {
  let times = cache.get(state);
  if (!times) cache.set(state, (times = boundariesOf(state, windows)));
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! > now) hi = mid;
    else lo = mid + 1;
  }
  return times[lo] ?? Number.POSITIVE_INFINITY;
}

export async function createAccessPolicy(deps: AccessPolicyDeps): Promise<Authorization> {
  const dir = deps.policyDir ?? defaultPolicyDir;
  const now = deps.now ?? (() => new Date());
  const windows = deps.windows ?? defaultWindows;
  const db = deps.database.db as unknown as Kysely<AuthzDB>;
  let set = await loadPolicySet(dir);
  const states = new PatientStateCache(db, deps.cache);
  await states.start();
  const decisions = new LRUCache<string, { decision: AccessDecision; validUntil: number }>({ max: 100_000 });
  const boundaries = new WeakMap<PatientState, number[]>();
  const breakGlass = createBreakGlass(db, {
    defaultMinutes: deps.breakGlass?.defaultMinutes ?? 60,
    maxMinutes: deps.breakGlass?.maxMinutes ?? 240,
    delivery: deps.delivery ?? storedOnlyDelivery,
    now,
  });

  async function patientContext(ctx: RequestContext, patientId: string, epoch?: number) {
    const [state, grant] = await Promise.all([
      states.get(patientId, epoch),
      breakGlass.activeFor(ctx, patientId),
    ]);
    const at = now();
    const rel = relationshipView(state.relationships, ctx.practitionerId, at, windows);
    const view: PatientView = {
      rel,
      consent: consentView(
        state.rules,
        { practitionerId: ctx.practitionerId, institution: ctx.institution, careTeams: rel.careTeams },
        ctx.purpose,
        at,
      ),
      grant: grant && {
        grantId: grant.grantId,
        justification: grant.justification,
        expiresAt: grant.expiresAt,
      },
    };
    let validUntil = nextBoundary(boundaries, state, windows, at.getTime());
    if (grant) validUntil = Math.min(validUntil, grant.expiresAt.getTime());
    return { state, view, validUntil };
  }

  async function decideMany(
    ctx: RequestContext,
    action: RecordAction,
    resources: readonly ResourceFacts[],
    epochs?: ReadonlyMap<string, number>,
  ): Promise<AccessDecision[]> {
    const policy = set;
    const patients = [...new Set(resources.flatMap((r) => (r.patientId ? [r.patientId] : [])))];
    const needState = ctx.kind === 'user';
    const contexts = new Map(
      await Promise.all(
        patients.map(
          async (p) => [p, needState ? await patientContext(ctx, p, epochs?.get(p)) : undefined] as const,
        ),
      ),
    );
    const at = now().getTime();
    const caller = `${policy.version}|${callerKey(ctx, action)}`;
    // Rows of one patient, category and labels (a search page, a history) share one decision.
    const shared = new Map<string, AccessDecision>();
    return resources.map((facts) => {
      const pc = facts.patientId ? contexts.get(facts.patientId) : undefined;
      const view = pc?.view ?? noPatientView;
      // Incomplete facts are denied before anything (cache key included) is derived from them.
      if (missingAttribute(ctx, facts)) return decideOne(policy, ctx, action, facts, view);
      const key = `${caller}|${pc?.state.epoch ?? 0}|${view.grant?.grantId ?? ''}|${factsKey(facts)}`;
      const known = shared.get(key);
      if (known) return known;
      const hit = decisions.get(key);
      if (hit && hit.validUntil > at) {
        shared.set(key, hit.decision);
        return hit.decision;
      }
      const decision = decideOne(policy, ctx, action, facts, view);
      shared.set(key, decision);
      if (!decision.reason.startsWith('missing_attribute') && decision.reason !== 'policy_error') {
        decisions.set(key, { decision, validUntil: pc?.validUntil ?? Number.POSITIVE_INFINITY });
      }
      return decision;
    });
  }

  const authorization: Authorization = {
    get policyVersion() {
      return set.version;
    },
    get policySet() {
      return set;
    },
    breakGlass,
    async decide(ctx, action, resource) {
      return (await decideMany(ctx, action, [resource]))[0]!;
    },
    decideMany,
    async projectWrite(trx, ctx, resource, facts) {
      const bumped = await projectResource(trx as unknown as Kysely<AuthzDB>, ctx, resource, facts);
      if (bumped) await states.announce(bumped.patientId, bumped.epoch);
    },
    async reload() {
      set = await loadPolicySet(dir);
      decisions.clear();
      return set.version;
    },
    async viewFor(ctx, patientId) {
      return (await patientContext(ctx, patientId)).view;
    },
    stats: () => ({ decisionCacheSize: decisions.size, patientStateCacheSize: states.size }),
    close: () => states.close(),
  };
  return authorization;
}
