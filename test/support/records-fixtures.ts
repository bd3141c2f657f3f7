import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../src/app/index.ts';
import type { AuditEvent, AuditLog } from '../../src/modules/audit/index.ts';
import type { AccessDecision, AccessPolicy, ResourceFacts } from '../../src/modules/authz/access-policy.ts';
import { createDataKeyRing, createLocalKeyEncryptionKeys } from '../../src/modules/keys/index.ts';
import { createRecordsService, recordsRoutes, type RecordsService } from '../../src/modules/records/index.ts';
import { userContext, type RequestContext, type Role } from '../../src/platform/context/index.ts';
import { AppError } from '../../src/platform/errors/index.ts';
import { createHttpServer } from '../../src/platform/http/index.ts';

/**
 * A small explicit policy for the records tests, standing in until the authorization module's Cedar
 * policy is wired: system → allow; patient → own compartment, read-only; staff → own institution;
 * `PSY`-labelled data → denied with disclosure (403 consent_required); ids in `hidden` → denied silently.
 */
export function createTestPolicy() {
  const hidden = new Set<string>();
  const projected: ResourceFacts[] = [];
  const decide = async (ctx: RequestContext, action: string, f: ResourceFacts): Promise<AccessDecision> => {
    const allow = (reason: string): AccessDecision => ({
      allow: true,
      policyIds: ['test-permit'],
      reason,
      disclose: true,
    });
    const deny = (reason: string, disclose = false): AccessDecision => ({
      allow: false,
      policyIds: ['test-forbid'],
      reason,
      disclose,
    });
    if (ctx.kind === 'system') return allow('system');
    if (f.id && hidden.has(`${f.resourceType}/${f.id}`)) return deny('hidden');
    if (ctx.roles.includes('patient')) {
      if (!['read', 'search', 'history'].includes(action)) return deny('role_action', true);
      return f.patientId !== undefined && f.patientId === ctx.patientId
        ? allow('own_record')
        : deny('not_own_record');
    }
    if (f.institutionId !== ctx.institution) return deny('other_institution');
    if (f.security.includes('PSY')) return deny('consent_required', true);
    return allow('institution_staff');
  };
  const policy: AccessPolicy = {
    decide,
    decideMany: (ctx, action, resources) => Promise.all(resources.map((f) => decide(ctx, action, f))),
    async projectWrite(_trx, _ctx, _resource, facts) {
      projected.push(facts);
    },
  };
  return { policy, hidden, projected };
}

/** The runtime's real ledger, with the events kept for assertions and a switch to make appends fail. */
export function recordingAudit(inner: AuditLog) {
  const events: AuditEvent[] = [];
  const state = { fail: false };
  const audit: AuditLog = {
    async append(ctx, event) {
      if (state.fail) throw new Error('ledger unavailable');
      events.push(event);
      return inner.append(ctx, event);
    },
  };
  return { audit, events, state };
}

export interface RecordsHarness {
  app: FastifyInstance;
  service: RecordsService;
  policy: ReturnType<typeof createTestPolicy>;
  audit: ReturnType<typeof recordingAudit>;
  close(): Promise<void>;
}

/**
 * Test identity: the caller is given as JSON in `x-test-caller`, and only the route's role list is checked
 * (token, scope and MFA checks are the identity module's enforcer, tested there).
 */
export async function recordsHarness(runtime: Runtime): Promise<RecordsHarness> {
  const policy = createTestPolicy();
  const audit = recordingAudit(runtime.auditLog);
  const keys = createDataKeyRing(createLocalKeyEncryptionKeys(runtime.config.keysDir));
  const service = createRecordsService({
    database: runtime.records,
    policy: policy.policy,
    audit: audit.audit,
    keys,
  });
  const app = createHttpServer({
    logger: runtime.logger,
    bodyLimitBytes: runtime.config.http.bodyLimitBytes,
    trustProxy: false,
    enforceAccess: async (request, access) => {
      const header = request.headers['x-test-caller'];
      const caller = JSON.parse(typeof header === 'string' ? header : '{}') as Partial<Caller>;
      const roles = caller.roles ?? ['physician'];
      if (access.kind === 'authenticated' && access.roles && !access.roles.some((r) => roles.includes(r))) {
        throw new AppError('forbidden', 'Forbidden', { reason: 'role_not_permitted' });
      }
      return userContext({
        requestId: request.id,
        subject: caller.subject ?? 'tester',
        roles,
        institution: caller.institution,
        patientId: caller.patientId,
        scopes: caller.scopes ?? ['user/*.cruds'],
      });
    },
  });
  await app.register(recordsRoutes(service));
  await app.ready();
  return { app, service, policy, audit, close: () => app.close() };
}

export interface Caller {
  subject: string;
  roles: Role[];
  institution: string;
  patientId: string;
  scopes: string[];
}

export function as(caller: Partial<Caller>) {
  return { 'x-test-caller': JSON.stringify(caller), 'content-type': 'application/fhir+json' };
}
