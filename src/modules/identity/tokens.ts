import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { isPurposeOfUse, isRole, type PurposeOfUse, type Role } from '../../platform/context/index.ts';
import { accessTokenAlg, type SigningKeySet } from './signing-keys.ts';

/** RFC 9068 access tokens are typed, so an ID token or any other JWT of ours is never accepted as one. */
export const accessTokenType = 'at+jwt';

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  exp: number;
  iat: number;
  jti: string;
  /** Session id: the enforcer checks on every request that it is not revoked. */
  sid: string;
  client_id: string;
  scope: string;
  roles: Role[];
  institution: string | undefined;
  /** Purposes of use this subject may invoke. */
  pou: PurposeOfUse[];
  fhirUser: string | undefined;
  /** The patient in context (patient-facing tokens and SMART `launch/patient`). */
  patient: string | undefined;
  practitioner: string | undefined;
  delegations: string[];
  auth_time: number | undefined;
  amr: string[];
}

export type AccessTokenSubject = Omit<AccessTokenClaims, 'iss' | 'aud' | 'exp' | 'iat' | 'jti'>;

export interface TokenSettings {
  issuer: string;
  /** The FHIR base URL: the only audience access tokens are minted for and accepted with. */
  audience: string;
  clockToleranceSeconds: number;
}

export async function mintAccessToken(
  keys: SigningKeySet,
  settings: TokenSettings,
  subject: AccessTokenSubject,
  ttlSeconds: number,
): Promise<string> {
  const { kid, privateKey } = await keys.current();
  const payload: JWTPayload = { ...withoutUndefined(subject as unknown as Record<string, unknown>) };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: accessTokenAlg, kid, typ: accessTokenType })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(`${Math.max(1, Math.floor(ttlSeconds))}s`)
    .setJti(randomUUID())
    .sign(privateKey);
}

/** OpenID Connect ID token for SMART apps (`openid fhirUser`): audience is the client. */
export async function mintIdToken(
  keys: SigningKeySet,
  settings: TokenSettings,
  claims: {
    sub: string;
    clientId: string;
    fhirUser?: string;
    nonce?: string;
    authTime?: number;
    amr: string[];
  },
  ttlSeconds: number,
): Promise<string> {
  const { kid, privateKey } = await keys.current();
  return new SignJWT(
    withoutUndefined({
      fhirUser: claims.fhirUser,
      nonce: claims.nonce,
      auth_time: claims.authTime,
      amr: claims.amr,
    }),
  )
    .setProtectedHeader({ alg: accessTokenAlg, kid, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setSubject(claims.sub)
    .setAudience(claims.clientId)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(privateKey);
}

export class InvalidAccessTokenError extends Error {
  constructor(readonly why: string) {
    super(`invalid access token: ${why}`);
    this.name = 'InvalidAccessTokenError';
  }
}

/**
 * Verifies signature (ES256 only: `alg: none` and HS256-with-the-public-key are refused), type, issuer,
 * audience and expiry, then the claim shapes. Does not look at the session: the enforcer does.
 */
export async function verifyAccessToken(
  token: string,
  keys: SigningKeySet,
  settings: TokenSettings,
): Promise<AccessTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      async (header: JWTHeaderParameters) => {
        const key = header.kid ? await keys.verificationKey(header.kid) : undefined;
        if (!key) throw new InvalidAccessTokenError('unknown key id');
        return key;
      },
      {
        algorithms: [accessTokenAlg],
        typ: accessTokenType,
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp', 'iat', 'jti', 'sid', 'client_id', 'scope'],
      },
    ));
  } catch (error) {
    if (error instanceof InvalidAccessTokenError) throw error;
    throw new InvalidAccessTokenError((error as { code?: string }).code ?? 'verification failed');
  }
  return claimsOf(payload);
}

/**
 * `verifyAccessToken` with a per-process memo of tokens already verified: a client sends the same token
 * on every request for its lifetime, and an identical string needs no second signature check. Expiry is
 * re-checked on each hit; revocation is the session check's job, not this one's.
 */
export function createAccessTokenVerifier(
  keys: SigningKeySet,
  settings: TokenSettings,
  options: { maxEntries?: number; now?: () => number } = {},
) {
  const now = options.now ?? Date.now;
  const verified = new LRUCache<string, AccessTokenClaims>({ max: options.maxEntries ?? 20_000 });
  return async function verify(token: string): Promise<AccessTokenClaims> {
    const hit = verified.get(token);
    if (hit) {
      if (hit.exp + settings.clockToleranceSeconds > now() / 1000) return hit;
      verified.delete(token);
      throw new InvalidAccessTokenError('ERR_JWT_EXPIRED');
    }
    const claims = await verifyAccessToken(token, keys, settings);
    verified.set(token, claims);
    return claims;
  };
}

function claimsOf(p: JWTPayload): AccessTokenClaims {
  const strings = (value: unknown, name: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw new InvalidAccessTokenError(`bad ${name}`);
    return value as string[];
  };
  const optionalString = (value: unknown, name: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new InvalidAccessTokenError(`bad ${name}`);
    return value;
  };
  const roles = strings(p.roles, 'roles');
  const pou = strings(p.pou, 'pou');
  if (!roles.every(isRole) || !pou.every(isPurposeOfUse))
    throw new InvalidAccessTokenError('unknown role or purpose');
  if (typeof p.sid !== 'string' || typeof p.client_id !== 'string' || typeof p.scope !== 'string') {
    throw new InvalidAccessTokenError('bad session, client or scope');
  }
  if (p.auth_time !== undefined && typeof p.auth_time !== 'number')
    throw new InvalidAccessTokenError('bad auth_time');
  return {
    iss: p.iss!,
    aud: typeof p.aud === 'string' ? p.aud : p.aud![0]!,
    sub: p.sub!,
    exp: p.exp!,
    iat: p.iat!,
    jti: p.jti!,
    sid: p.sid,
    client_id: p.client_id,
    scope: p.scope,
    roles: roles as Role[],
    institution: optionalString(p.institution, 'institution'),
    pou: pou as PurposeOfUse[],
    fhirUser: optionalString(p.fhirUser, 'fhirUser'),
    patient: optionalString(p.patient, 'patient'),
    practitioner: optionalString(p.practitioner, 'practitioner'),
    delegations: strings(p.delegations, 'delegations'),
    auth_time: p.auth_time as number | undefined,
    amr: strings(p.amr, 'amr'),
  };
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
