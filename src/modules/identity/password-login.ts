import type { TokenResponse } from './issuance.ts';
import type { LoginAttempt } from './login.ts';
import { isPatientFacing, scopeCeilingFor } from './role-grants.ts';
import { firstPartyClientId, type IdentityService } from './service.ts';
import { mintAccessToken } from './tokens.ts';

/** Scope a privileged user holds until a second factor is enrolled: the enrollment routes only. */
export const mfaEnrollmentScope = 'carebase/mfa.enroll';
const enrollmentTokenTtlSeconds = 600;

export type PasswordLoginResult =
  | {
      kind: 'tokens';
      body: Pick<TokenResponse, 'access_token' | 'token_type' | 'expires_in' | 'scope' | 'refresh_token'>;
    }
  | { kind: 'enrollment_required'; enrollmentToken: string; expiresIn: number };

export interface RequestMeta {
  ip: string | undefined;
  userAgent: string | undefined;
  requestId: string;
}

/** `POST /auth/login` (SPEC §2): a first-party session with the role's scope ceiling. */
export async function passwordLogin(
  identity: IdentityService,
  attempt: Omit<LoginAttempt, 'ip' | 'requestId'>,
  meta: RequestMeta,
): Promise<PasswordLoginResult> {
  const outcome = await identity.authenticate({ ...attempt, ip: meta.ip, requestId: meta.requestId });
  const authTime = new Date(identity.now());
  const base = {
    userId: outcome.user.id,
    clientId: firstPartyClientId,
    patientId: isPatientFacing(outcome.user.roles) ? outcome.user.patientId : undefined,
    authTime,
    ip: meta.ip,
    userAgent: meta.userAgent,
  };

  if (outcome.kind === 'enrollment_required') {
    const session = await identity.sessions.create({
      ...base,
      kind: 'mfa_enrollment',
      scope: mfaEnrollmentScope,
      mfaAt: undefined,
      amr: ['pwd'],
      expiresAt: new Date(authTime.getTime() + enrollmentTokenTtlSeconds * 1000),
    });
    const enrollmentToken = await mintAccessToken(
      identity.keys,
      identity.settings,
      {
        sub: outcome.user.id,
        sid: session.id,
        client_id: firstPartyClientId,
        scope: mfaEnrollmentScope,
        roles: outcome.user.roles,
        institution: outcome.user.institutionId,
        pou: [],
        fhirUser: undefined,
        patient: undefined,
        practitioner: undefined,
        delegations: [],
        auth_time: Math.floor(authTime.getTime() / 1000),
        amr: ['pwd'],
      },
      enrollmentTokenTtlSeconds,
    );
    return { kind: 'enrollment_required', enrollmentToken, expiresIn: enrollmentTokenTtlSeconds };
  }

  const scope = [...scopeCeilingFor(outcome.user.roles), 'openid', 'fhirUser', 'offline_access'];
  if (base.patientId) scope.push('launch/patient');
  const session = await identity.sessions.create({
    ...base,
    kind: 'password',
    scope: scope.join(' '),
    mfaAt: outcome.mfaAt,
    amr: outcome.amr,
    expiresAt: new Date(authTime.getTime() + identity.config.auth.refreshTokenTtlSeconds * 1000),
  });
  const tokens = await identity.issuer.forUser(session, outcome.user, { refreshToken: 'new' });
  await identity.onSecurityEvent({
    type: 'login.succeeded',
    at: authTime,
    subject: outcome.user.id,
    username: outcome.user.username,
    sessionId: session.id,
    institution: outcome.user.institutionId,
    ip: meta.ip,
    requestId: meta.requestId,
    reason: outcome.amr.join('+'),
  });
  return {
    kind: 'tokens',
    body: {
      access_token: tokens.access_token,
      token_type: 'Bearer',
      expires_in: tokens.expires_in,
      scope: tokens.scope,
      refresh_token: tokens.refresh_token,
    },
  };
}
