import { randomUUID } from 'node:crypto';
import type { PurposeOfUse, Role } from './roles.ts';

export interface BreakGlassGrant {
  grantId: string;
  patientId: string;
  expiresAt: Date;
  justification: string;
}

/**
 * Who is asking, for what, and why. Built once per request (or by `systemContext` for background work)
 * and handed to every store, which is why no handler can reach rows without it.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly kind: 'user' | 'system' | 'anonymous';
  readonly subject: string | undefined;
  readonly roles: readonly Role[];
  readonly institution: string | undefined;
  readonly practitionerId: string | undefined;
  readonly patientId: string | undefined;
  /** Patients this subject may act for as a delegate (parent, guardian, proxy). */
  readonly delegations: readonly string[];
  readonly purpose: PurposeOfUse | undefined;
  readonly scopes: readonly string[];
  readonly clientId: string | undefined;
  /** Epoch seconds of the last MFA verification, if any. */
  readonly mfaAt: number | undefined;
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
  readonly breakGlass: BreakGlassGrant | undefined;
  /** Why background work runs; set only on system contexts, and recorded in the audit. */
  readonly systemReason: string | undefined;
}

const empty = {
  subject: undefined,
  roles: [],
  institution: undefined,
  practitionerId: undefined,
  patientId: undefined,
  delegations: [],
  purpose: undefined,
  scopes: [],
  clientId: undefined,
  mfaAt: undefined,
  ip: undefined,
  userAgent: undefined,
  breakGlass: undefined,
  systemReason: undefined,
} satisfies Omit<RequestContext, 'requestId' | 'kind'>;

/** Explicit, audited identity for unauthenticated system work (seeding, jobs, migrations). */
export function systemContext(reason: string, requestId: string = randomUUID()): RequestContext {
  if (reason.trim().length === 0) throw new Error('systemContext needs a reason');
  return Object.freeze({ ...empty, requestId, kind: 'system', subject: 'system', systemReason: reason });
}

export function anonymousContext(
  requestId: string,
  where: { ip?: string | undefined; userAgent?: string | undefined } = {},
): RequestContext {
  return Object.freeze({ ...empty, requestId, kind: 'anonymous', ip: where.ip, userAgent: where.userAgent });
}

export function userContext(
  fields: Omit<Partial<RequestContext>, 'kind'> & { requestId: string; subject: string },
): RequestContext {
  return Object.freeze({ ...empty, ...fields, kind: 'user' });
}
