import type { RequestMeta } from './password-login.ts';
import { firstPartyClientId, type IdentityService } from './service.ts';
import type { Session } from './sessions.ts';
import { InvalidAccessTokenError, verifyAccessToken } from './tokens.ts';

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * RFC 7009: revokes the session a refresh token (or a still-valid access token) belongs to, so every
 * token of that session fails on its next use. `allSessions` signs the subject out everywhere. Unknown
 * tokens are not an error (the answer must not tell what exists).
 */
export async function revokeToken(
  identity: IdentityService,
  token: string,
  options: { clientId: string | undefined; allSessions: boolean; meta: RequestMeta },
): Promise<void> {
  let session: Session | undefined;
  if (jwtShape.test(token)) {
    try {
      const claims = await verifyAccessToken(token, identity.keys, identity.settings);
      session = await identity.sessions.load(claims.sid);
    } catch (error) {
      if (!(error instanceof InvalidAccessTokenError)) throw error;
    }
  } else {
    session = await identity.sessions.sessionOfRefreshToken(token);
  }
  if (!session) return;
  // A third-party app may only revoke what was issued to it.
  if (options.clientId && session.clientId !== firstPartyClientId && options.clientId !== session.clientId)
    return;
  if (options.allSessions && session.userId) {
    await identity.sessions.revokeAllForUser(session.userId, 'logout_everywhere');
  } else {
    await identity.sessions.revoke(session.id, 'revoked_by_client');
  }
  await identity.onSecurityEvent({
    type: 'session.revoked',
    at: new Date(identity.now()),
    subject: session.userId ?? `client:${session.clientId}`,
    sessionId: session.id,
    clientId: session.clientId,
    ip: options.meta.ip,
    requestId: options.meta.requestId,
    reason: options.allSessions ? 'logout_everywhere' : 'revoked',
  });
}
