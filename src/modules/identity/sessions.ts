import { createHash, randomBytes } from 'node:crypto';
import type { IdentityKysely, SessionKind } from './db-types.ts';

export interface NewSession {
  kind: SessionKind;
  userId: string | undefined;
  clientId: string;
  scope: string;
  patientId: string | undefined;
  authTime: Date;
  mfaAt: Date | undefined;
  amr: string[];
  ip: string | undefined;
  userAgent: string | undefined;
  expiresAt: Date;
}

export interface Session extends NewSession {
  id: string;
  revokedAt: Date | undefined;
}

export type RefreshOutcome =
  | { kind: 'rotated'; session: Session; refreshToken: string }
  /** An already-rotated token came back: the whole family (session) is revoked. */
  | { kind: 'reused'; sessionId: string }
  | { kind: 'invalid' };

/** Opaque secrets (refresh tokens, codes) are stored as SHA-256: a database dump cannot replay them. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newOpaqueSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

type SessionRow = {
  id: string;
  kind: SessionKind;
  user_id: string | null;
  client_id: string;
  scope: string;
  patient_id: string | null;
  auth_time: Date;
  mfa_at: Date | null;
  amr: string[];
  ip: string | null;
  user_agent: string | null;
  expires_at: Date;
  revoked_at: Date | null;
};

function sessionOf(row: SessionRow): Session {
  return {
    id: row.id,
    kind: row.kind,
    userId: row.user_id ?? undefined,
    clientId: row.client_id,
    scope: row.scope,
    patientId: row.patient_id ?? undefined,
    authTime: row.auth_time,
    mfaAt: row.mfa_at ?? undefined,
    amr: row.amr,
    ip: row.ip ?? undefined,
    userAgent: row.user_agent ?? undefined,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at ?? undefined,
  };
}

export interface SessionState {
  revoked: boolean;
  expiresAt: number;
}

/** Revocation state of one session by primary key; undefined when there is no such session. */
export async function readSessionState(db: IdentityKysely, id: string): Promise<SessionState | undefined> {
  const row = await db
    .selectFrom('session')
    .select(['revoked_at', 'expires_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { revoked: row.revoked_at !== null, expiresAt: row.expires_at.getTime() } : undefined;
}

/**
 * Sessions (one per sign-in or OAuth grant) and their refresh-token family. A refresh token is single
 * use: rotating marks it used in the same statement that checks it was unused, so of two concurrent
 * uses exactly one wins and the other is treated as reuse.
 */
export function createSessionStore(
  db: IdentityKysely,
  options: {
    now?: () => number;
    /** Told after every committed revocation, before the revoking request answers. */
    afterRevoke?: () => Promise<void>;
  } = {},
) {
  const now = options.now ?? Date.now;
  const afterRevoke = options.afterRevoke ?? (async () => {});
  const load = async (id: string) => {
    const row = await db.selectFrom('session').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? sessionOf(row) : undefined;
  };

  /** Revokes every live session matching one column; returns how many it revoked. */
  const revokeWhere = async (column: 'id' | 'user_id' | 'client_id', value: string, reason: string) => {
    const result = await db
      .updateTable('session')
      .set({ revoked_at: new Date(now()), revoked_reason: reason })
      .where(column, '=', value)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await afterRevoke();
    return Number(result.numUpdatedRows);
  };
  const revoke = async (id: string, reason: string): Promise<void> => {
    await revokeWhere('id', id, reason);
  };

  const issueRefreshToken = async (sessionId: string, expiresAt: Date): Promise<string> => {
    const token = newOpaqueSecret();
    await db
      .insertInto('refresh_token')
      .values({ token_hash: hashSecret(token), session_id: sessionId, expires_at: expiresAt })
      .execute();
    return token;
  };

  return {
    async create(session: NewSession): Promise<Session> {
      const id = newOpaqueSecret(18);
      await db
        .insertInto('session')
        .values({
          id,
          kind: session.kind,
          user_id: session.userId ?? null,
          client_id: session.clientId,
          scope: session.scope,
          patient_id: session.patientId ?? null,
          auth_time: session.authTime,
          mfa_at: session.mfaAt ?? null,
          amr: session.amr,
          ip: session.ip ?? null,
          user_agent: session.userAgent?.slice(0, 512) ?? null,
          expires_at: session.expiresAt,
        })
        .execute();
      return { ...session, id, revokedAt: undefined };
    },

    load,
    issueRefreshToken,

    /** The authoritative per-request check: one primary-key read. */
    async isActive(id: string): Promise<boolean> {
      const state = await readSessionState(db, id);
      return !!state && !state.revoked && state.expiresAt > now();
    },

    async rotateRefreshToken(token: string): Promise<RefreshOutcome> {
      const tokenHash = hashSecret(token);
      const claimed = await db
        .updateTable('refresh_token')
        .set({ used_at: new Date(now()) })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .returning(['session_id', 'expires_at'])
        .executeTakeFirst();
      if (!claimed) {
        const used = await db
          .selectFrom('refresh_token')
          .select('session_id')
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst();
        if (!used) return { kind: 'invalid' };
        await revoke(used.session_id, 'refresh_token_reuse');
        return { kind: 'reused', sessionId: used.session_id };
      }
      const session = await load(claimed.session_id);
      if (
        !session ||
        session.revokedAt ||
        session.expiresAt.getTime() <= now() ||
        claimed.expires_at.getTime() <= now()
      ) {
        return { kind: 'invalid' };
      }
      return {
        kind: 'rotated',
        session,
        refreshToken: await issueRefreshToken(session.id, session.expiresAt),
      };
    },

    /** The session a refresh token belongs to (used or not), for revocation requests. */
    async sessionOfRefreshToken(token: string): Promise<Session | undefined> {
      const row = await db
        .selectFrom('refresh_token')
        .select('session_id')
        .where('token_hash', '=', hashSecret(token))
        .executeTakeFirst();
      return row ? load(row.session_id) : undefined;
    },

    revoke,

    revokeAllForUser: (userId: string, reason: string): Promise<number> =>
      revokeWhere('user_id', userId, reason),

    async revokeAllForClient(clientId: string, reason: string): Promise<void> {
      await revokeWhere('client_id', clientId, reason);
    },

    /** Housekeeping: sessions (and their refresh tokens, by cascade) a day past expiry. */
    async deleteExpired(): Promise<void> {
      await db
        .deleteFrom('session')
        .where('expires_at', '<', new Date(now() - 86_400_000))
        .execute();
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
