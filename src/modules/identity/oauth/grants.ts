import { OAuthError } from '../errors.ts';
import type { TokenResponse } from '../issuance.ts';
import type { RequestMeta } from '../password-login.ts';
import { narrowScopes, resourceScopes, splitScope } from '../scopes.ts';
import { reportRefusal } from '../security-events.ts';
import { firstPartyClientId, type IdentityService } from '../service.ts';
import { pkceMatches } from './codes.ts';

export type TokenRequest = Record<string, string | undefined>;

/** `grant_type=authorization_code` (RFC 6749 §4.1.3 + PKCE): public SMART apps. */
export async function authorizationCodeGrant(
  identity: IdentityService,
  params: TokenRequest,
  meta: RequestMeta,
): Promise<TokenResponse> {
  const { code, redirect_uri: redirectUri, client_id: clientId, code_verifier: codeVerifier } = params;
  if (!code || !redirectUri || !clientId || !codeVerifier) {
    throw new OAuthError('invalid_request', 'code, redirect_uri, client_id and code_verifier are required');
  }
  const client = await identity.clients.find(clientId);
  if (!client || client.disabled || client.kind !== 'public')
    throw new OAuthError('invalid_client', 'Client authentication failed');

  const redemption = await identity.codes.redeem(code);
  if (redemption.kind === 'reused') {
    if (redemption.sessionId)
      await identity.sessions.revoke(redemption.sessionId, 'authorization_code_reuse');
    throw new OAuthError('invalid_grant', 'The authorization code is invalid', 'code reused');
  }
  if (redemption.kind === 'invalid')
    throw new OAuthError('invalid_grant', 'The authorization code is invalid', 'unknown or expired code');
  const grant = redemption.code;
  if (grant.clientId !== client.id)
    throw new OAuthError('invalid_grant', 'The authorization code is invalid', 'client mismatch');
  if (grant.redirectUri !== redirectUri)
    throw new OAuthError('invalid_grant', 'The authorization code is invalid', 'redirect_uri mismatch');
  if (!pkceMatches(codeVerifier, grant.codeChallenge))
    throw new OAuthError('invalid_grant', 'The authorization code is invalid', 'PKCE mismatch');

  const user = await identity.accounts.findById(grant.userId);
  if (!user || user.disabledAt)
    throw new OAuthError('invalid_grant', 'The authorization code is invalid', 'user gone');

  const started = new Date(identity.now());
  const session = await identity.sessions.create({
    kind: 'authorization_code',
    userId: user.id,
    clientId: client.id,
    scope: grant.scope,
    patientId: grant.patientId,
    authTime: grant.authTime,
    mfaAt: grant.mfaAt,
    amr: grant.amr,
    ip: meta.ip,
    userAgent: meta.userAgent,
    expiresAt: new Date(started.getTime() + identity.config.auth.refreshTokenTtlSeconds * 1000),
  });
  await identity.codes.recordSession(grant.codeHash, session.id);
  const scopes = splitScope(grant.scope);
  const tokens = await identity.issuer.forUser(session, user, {
    refreshToken: scopes.includes('offline_access') || scopes.includes('online_access') ? 'new' : undefined,
    idToken: scopes.includes('openid') ? { clientId: client.id, nonce: grant.nonce } : undefined,
  });
  await identity.onSecurityEvent({
    type: 'token.issued',
    at: started,
    subject: user.id,
    clientId: client.id,
    sessionId: session.id,
    ip: meta.ip,
    requestId: meta.requestId,
    reason: 'authorization_code',
  });
  return tokens;
}

/**
 * `grant_type=refresh_token`: single use. A token that was already rotated revokes its whole family (the
 * session), since either the client or an attacker holds a copy.
 */
export async function refreshTokenGrant(
  identity: IdentityService,
  params: TokenRequest,
  meta: RequestMeta,
): Promise<TokenResponse> {
  const token = params.refresh_token;
  if (!token) throw new OAuthError('invalid_request', 'refresh_token is required');
  const owner = await identity.sessions.sessionOfRefreshToken(token);
  if (owner && owner.clientId !== firstPartyClientId && params.client_id !== owner.clientId) {
    throw new OAuthError('invalid_grant', 'The refresh token is invalid', 'client mismatch');
  }
  const outcome = await identity.sessions.rotateRefreshToken(token);
  if (outcome.kind === 'reused') {
    reportRefusal(identity.onSecurityEvent, {
      type: 'token.refresh_reuse',
      at: new Date(identity.now()),
      sessionId: outcome.sessionId,
      subject: owner?.userId,
      ip: meta.ip,
      requestId: meta.requestId,
      reason: 'refresh_token_reuse',
    });
    throw new OAuthError('invalid_grant', 'The refresh token is invalid', 'reuse detected; session revoked');
  }
  if (outcome.kind === 'invalid') throw new OAuthError('invalid_grant', 'The refresh token is invalid');
  const user = outcome.session.userId ? await identity.accounts.findById(outcome.session.userId) : undefined;
  if (!user || user.disabledAt) {
    await identity.sessions.revoke(outcome.session.id, 'user_disabled');
    throw new OAuthError('invalid_grant', 'The refresh token is invalid', 'user disabled');
  }
  await identity.onSecurityEvent({
    type: 'token.refreshed',
    at: new Date(identity.now()),
    subject: user.id,
    sessionId: outcome.session.id,
    clientId: outcome.session.clientId,
    ip: meta.ip,
    requestId: meta.requestId,
  });
  return identity.issuer.forUser(outcome.session, user, { refreshToken: outcome.refreshToken });
}

/** `grant_type=client_credentials` with a signed assertion (SMART Backend Services): `system/` scopes only. */
export async function clientCredentialsGrant(
  identity: IdentityService,
  params: TokenRequest,
  meta: RequestMeta,
): Promise<TokenResponse> {
  let client;
  try {
    client = await identity.verifyClientAssertion(params.client_assertion_type, params.client_assertion);
  } catch (error) {
    if (error instanceof OAuthError) {
      reportRefusal(identity.onSecurityEvent, {
        type: 'client.authentication_failed',
        at: new Date(identity.now()),
        ip: meta.ip,
        requestId: meta.requestId,
        reason: error.internalReason,
      });
    }
    throw error;
  }
  const requested = splitScope(params.scope);
  if (requested.length === 0) throw new OAuthError('invalid_scope', 'scope is required');
  if (
    resourceScopes(requested).some((s) => s.context !== 'system') ||
    resourceScopes(requested).length !== requested.length
  ) {
    throw new OAuthError('invalid_scope', 'Backend services may request system/ scopes only');
  }
  const granted = narrowScopes(requested, client.scopes);
  if (granted.length === 0)
    throw new OAuthError('invalid_scope', 'None of the requested scopes is allowed for this client');
  const started = new Date(identity.now());
  const session = await identity.sessions.create({
    kind: 'client_credentials',
    userId: undefined,
    clientId: client.id,
    scope: granted.join(' '),
    patientId: undefined,
    authTime: started,
    mfaAt: undefined,
    amr: [],
    ip: meta.ip,
    userAgent: meta.userAgent,
    expiresAt: new Date(started.getTime() + identity.config.auth.accessTokenTtlSeconds * 1000),
  });
  await identity.onSecurityEvent({
    type: 'token.issued',
    at: started,
    subject: `client:${client.id}`,
    clientId: client.id,
    sessionId: session.id,
    institution: client.institutionId,
    ip: meta.ip,
    requestId: meta.requestId,
    reason: 'client_credentials',
  });
  return identity.issuer.forClient(session, client);
}
