import type { FastifyRequest } from 'fastify';
import {
  isPurposeOfUse,
  userContext,
  type PurposeOfUse,
  type RequestContext,
} from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { AccessEnforcer, RouteAccess } from '../../platform/http/index.ts';
import { defaultPurposeFor, isPrivileged } from './role-grants.ts';
import { resourceScopes, scopesSatisfyAny, splitScope } from './scopes.ts';
import { reportRefusal, type SecurityEventSink } from './security-events.ts';
import { InvalidAccessTokenError, type AccessTokenClaims } from './tokens.ts';

/**
 * Routes a privileged user who has not enrolled a second factor yet may reach (with the token that
 * `/auth/login` hands out for enrollment only). Everything else answers `401 mfa_required`.
 */
export const mfaEnrollmentRoutes: ReadonlySet<string> = new Set([
  '/api/me',
  '/api/me/mfa/totp/start',
  '/api/me/mfa/totp/confirm',
]);

/** How recent the second factor must be for routes declaring `mfa: true`. */
export const mfaMaxAgeSeconds = 12 * 3600;

export interface EnforcerDeps {
  /** Signature, type, issuer, audience, expiry and claim shapes (`createAccessTokenVerifier`). */
  verifyToken(token: string): Promise<AccessTokenClaims>;
  /** Whether the session is live; must see a revocation on the very next request in any process. */
  isSessionActive(sessionId: string): Promise<boolean>;
  rateLimiter: { allow(subject: string): Promise<boolean> };
  onSecurityEvent: SecurityEventSink;
  now?: () => number;
}

const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

/**
 * The edge layer (SPEC §3 layer 1): valid token, live session, second factor, role, scope, patient
 * compartment, purpose of use and rate limit, in that order, for the route's declared requirement.
 * Returns the request context every module receives.
 */
export function createAccessEnforcer(deps: EnforcerDeps): AccessEnforcer {
  const now = deps.now ?? Date.now;

  return async function enforceAccess(request: FastifyRequest, access: RouteAccess): Promise<RequestContext> {
    if (access.kind === 'public') throw new AppError('internal', 'public routes do not reach the enforcer');
    const deny = (
      code: 'unauthenticated' | 'forbidden' | 'mfa_required' | 'rate_limited',
      reason: string,
      subject?: string,
    ): never => {
      reportRefusal(deps.onSecurityEvent, {
        type: 'access.denied',
        at: new Date(now()),
        subject,
        ip: request.ip,
        requestId: request.id,
        reason,
      });
      const messages = {
        unauthenticated: 'Authentication required',
        forbidden: 'Forbidden',
        mfa_required: 'Multi-factor authentication required',
        rate_limited: 'Too many requests',
      };
      throw new AppError(code, messages[code], { reason: code === 'unauthenticated' ? undefined : reason });
    };

    const header = request.headers.authorization;
    const match = typeof header === 'string' ? bearer.exec(header) : null;
    if (!match) return deny('unauthenticated', 'missing_bearer_token');

    let claims: AccessTokenClaims;
    try {
      claims = await deps.verifyToken(match[1]!);
    } catch (error) {
      if (error instanceof InvalidAccessTokenError)
        return deny('unauthenticated', `invalid_token:${error.why}`);
      throw error;
    }
    if (!(await deps.isSessionActive(claims.sid)))
      return deny('unauthenticated', 'session_revoked', claims.sub);

    const isUser = !claims.sub.startsWith('client:');
    const hasMfa = claims.amr.includes('mfa');
    const route = request.routeOptions.url ?? '';
    if (isUser && isPrivileged(claims.roles) && !hasMfa && !mfaEnrollmentRoutes.has(route)) {
      return deny('mfa_required', 'mfa_not_performed', claims.sub);
    }
    const mfaAt = hasMfa ? claims.auth_time : undefined;
    if (access.mfa && (mfaAt === undefined || now() / 1000 - mfaAt > mfaMaxAgeSeconds)) {
      return deny('mfa_required', 'mfa_not_recent', claims.sub);
    }

    if (access.roles && !access.roles.some((role) => claims.roles.includes(role))) {
      return deny('forbidden', 'role_not_permitted', claims.sub);
    }

    const granted = splitScope(claims.scope);
    if (access.scopes && access.scopes.length > 0) {
      const required = access.scopes.map((scope) => resolveTypePlaceholder(scope, request));
      if (!scopesSatisfyAny(granted, required)) return deny('forbidden', 'scope_insufficient', claims.sub);
    }

    const compartment = patientCompartment(claims, granted);
    if (compartment) {
      for (const patient of targetPatients(request)) {
        if (!compartment.has(patient)) return deny('forbidden', 'patient_not_in_context', claims.sub);
      }
    }

    const purpose = purposeOf(request, claims, deny);

    if (!(await deps.rateLimiter.allow(claims.sub)))
      return deny('rate_limited', 'subject_rate_limit', claims.sub);

    return userContext({
      requestId: request.id,
      subject: claims.sub,
      roles: claims.roles,
      institution: claims.institution,
      practitionerId: claims.practitioner,
      patientId: claims.patient,
      delegations: claims.delegations,
      purpose,
      scopes: granted,
      clientId: claims.client_id,
      mfaAt,
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
  };
}

function purposeOf(
  request: FastifyRequest,
  claims: AccessTokenClaims,
  deny: (code: 'forbidden', reason: string, subject?: string) => never,
): PurposeOfUse | undefined {
  const header = request.headers['x-purpose-of-use'];
  if (header === undefined) {
    const fallback = defaultPurposeFor(claims.roles);
    return fallback && claims.pou.includes(fallback) ? fallback : undefined;
  }
  const value = Array.isArray(header) ? header.join(',') : header.trim();
  if (!isPurposeOfUse(value)) {
    throw new AppError('invalid_request', 'X-Purpose-Of-Use must be one of the HL7 ActReason codes', {
      reason: 'purpose_unknown',
    });
  }
  if (!claims.pou.includes(value)) return deny('forbidden', 'purpose_not_permitted', claims.sub);
  return value;
}

/**
 * A token whose resource scopes are all `patient/` acts only inside a compartment: the patient in
 * context plus the patients the subject is a delegate for. Undefined: no compartment restriction.
 */
function patientCompartment(claims: AccessTokenClaims, granted: readonly string[]): Set<string> | undefined {
  const scopes = resourceScopes(granted);
  if (scopes.length === 0 || scopes.some((s) => s.context !== 'patient')) return undefined;
  return new Set([...(claims.patient ? [claims.patient] : []), ...claims.delegations]);
}

/**
 * Patients a request names at the edge: `:patientId` route params, `/fhir/R4/Patient/:id…`, and the
 * `patient`/`subject` search parameters. The service layer checks what the edge cannot see.
 */
function targetPatients(request: FastifyRequest): string[] {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  const targets: string[] = [];
  if (params.patientId) targets.push(params.patientId);
  const route = request.routeOptions.url ?? '';
  if (
    params.id &&
    (route.startsWith('/fhir/R4/Patient/:id') || (params.type === 'Patient' && route.includes(':type/:id')))
  ) {
    targets.push(params.id);
  }
  for (const name of ['patient', 'subject', 'patient:Patient', 'subject:Patient']) {
    const values = query[name];
    for (const value of Array.isArray(values) ? values : values ? [values] : []) {
      for (const reference of value.split(',')) {
        const id = reference.replace(/^.*Patient\//, '').trim();
        if (id) targets.push(id);
      }
    }
  }
  return targets;
}

/** A route may name its resource type as `{type}`, taken from the `:type` route parameter. */
function resolveTypePlaceholder(scope: string, request: FastifyRequest): string {
  if (!scope.includes('{type}')) return scope;
  const type = (request.params as Record<string, string | undefined> | undefined)?.type;
  return type && /^[A-Z][A-Za-z]{0,63}$/.test(type)
    ? scope.replace('{type}', type)
    : scope.replace('{type}', 'Unknown');
}
