import { hkdfSync } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** A validated `/auth/authorize` request, carried between the sign-in and consent pages. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string | undefined;
  codeChallenge: string;
  nonce: string | undefined;
}

export interface SignedInUser {
  userId: string;
  authTime: number;
  amr: string[];
  mfaAt: number | undefined;
  /** The scopes shown on the consent screen: requested ∩ client ∩ user ceilings. */
  granted: string;
  /** Patients the user may open the app for (`launch/patient`); empty without patient context. */
  patients: string[];
}

export interface Interaction {
  request: AuthorizationRequest;
  user: SignedInUser | undefined;
}

const interactionType = 'carebase-interaction+jwt';
const lifetimeSeconds = 600;

/**
 * The authorization pages keep no server-side state: each form carries the request (and, after sign-in,
 * the signed-in user) in a short-lived HS256 token keyed by HKDF(master key). Its type and audience
 * differ from access tokens, and the access-token verifier accepts ES256 only, so it can never pass as one.
 */
export function createInteractionCodec(masterKey: Buffer, issuer: string) {
  const key = new Uint8Array(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'carebase/identity/authorize-interaction', 32),
  );
  const audience = `${issuer}/auth/authorize`;
  return {
    async seal(interaction: Interaction): Promise<string> {
      return new SignJWT({ req: interaction.request, usr: interaction.user })
        .setProtectedHeader({ alg: 'HS256', typ: interactionType })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .sign(key);
    },
    /** Undefined when tampered with, expired or not ours. */
    async open(token: string | undefined): Promise<Interaction | undefined> {
      if (!token) return undefined;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          typ: interactionType,
          issuer,
          audience,
        });
        return {
          request: payload.req as AuthorizationRequest,
          user: payload.usr as SignedInUser | undefined,
        };
      } catch {
        return undefined;
      }
    },
  };
}

export type InteractionCodec = ReturnType<typeof createInteractionCodec>;
