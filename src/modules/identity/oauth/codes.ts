import { createHash, timingSafeEqual } from 'node:crypto';
import type { IdentityKysely } from '../db-types.ts';
import { hashSecret, newOpaqueSecret } from '../sessions.ts';

/** Short and single-use (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const authorizationCodeTtlMs = 60_000;

export interface NewAuthorizationCode {
  clientId: string;
  userId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  patientId: string | undefined;
  nonce: string | undefined;
  authTime: Date;
  mfaAt: Date | undefined;
  amr: string[];
}

export interface AuthorizationCode extends NewAuthorizationCode {
  codeHash: string;
}

export type CodeRedemption =
  | { kind: 'redeemed'; code: AuthorizationCode }
  /** Presented a second time: RFC 6749 §4.1.2 says to revoke what the first use issued. */
  | { kind: 'reused'; sessionId: string | undefined }
  | { kind: 'invalid' };

/** PKCE S256 (RFC 7636 §4.6): BASE64URL(SHA256(verifier)) equals the challenge, compared in constant time. */
export function pkceMatches(codeVerifier: string, codeChallenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(codeVerifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(codeVerifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(codeChallenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

export function createAuthorizationCodeStore(db: IdentityKysely, now: () => number = Date.now) {
  return {
    async create(input: NewAuthorizationCode): Promise<string> {
      const code = newOpaqueSecret();
      await db
        .insertInto('authorization_code')
        .values({
          code_hash: hashSecret(code),
          client_id: input.clientId,
          user_id: input.userId,
          redirect_uri: input.redirectUri,
          scope: input.scope,
          code_challenge: input.codeChallenge,
          patient_id: input.patientId ?? null,
          nonce: input.nonce ?? null,
          auth_time: input.authTime,
          mfa_at: input.mfaAt ?? null,
          amr: input.amr,
          expires_at: new Date(now() + authorizationCodeTtlMs),
        })
        .execute();
      // Expired codes are useless; clear them while here.
      await db
        .deleteFrom('authorization_code')
        .where('expires_at', '<', new Date(now() - 86_400_000))
        .execute();
      return code;
    },

    /** Marks the code used in the statement that checks it is unused and unexpired. */
    async redeem(code: string): Promise<CodeRedemption> {
      const codeHash = hashSecret(code);
      const row = await db
        .updateTable('authorization_code')
        .set({ used_at: new Date(now()) })
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', new Date(now()))
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const used = await db
          .selectFrom('authorization_code')
          .select(['used_at', 'session_id'])
          .where('code_hash', '=', codeHash)
          .executeTakeFirst();
        return used?.used_at
          ? { kind: 'reused', sessionId: used.session_id ?? undefined }
          : { kind: 'invalid' };
      }
      return {
        kind: 'redeemed',
        code: {
          codeHash,
          clientId: row.client_id,
          userId: row.user_id,
          redirectUri: row.redirect_uri,
          scope: row.scope,
          codeChallenge: row.code_challenge,
          patientId: row.patient_id ?? undefined,
          nonce: row.nonce ?? undefined,
          authTime: row.auth_time,
          mfaAt: row.mfa_at ?? undefined,
          amr: row.amr,
        },
      };
    },

    async recordSession(codeHash: string, sessionId: string): Promise<void> {
      await db
        .updateTable('authorization_code')
        .set({ session_id: sessionId })
        .where('code_hash', '=', codeHash)
        .execute();
    },
  };
}

export type AuthorizationCodeStore = ReturnType<typeof createAuthorizationCodeStore>;
