import { ApiError, isRecord, requestJson } from './request-json.ts';

export interface Credentials {
  username: string;
  password: string;
  /** The authenticator code, once the server has answered `mfa_required`. */
  otp?: string;
}

/** SPEC §2 Authentication: the answer of `POST /auth/login`. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | undefined;
  expiresInSeconds: number;
  scope: string;
}

export async function signIn(credentials: Credentials): Promise<TokenSet> {
  const body = await requestJson('/auth/login', { json: credentials });
  if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') {
    throw new ApiError(502, 'bad_response', 'The server sent an unexpected sign-in answer');
  }
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : 900,
    scope: typeof body.scope === 'string' ? body.scope : '',
  };
}

/**
 * Best effort: asks the server to revoke the refresh token (RFC 7009). Signing out locally never waits for
 * or depends on it, because the tokens only live in this page's memory anyway.
 */
export function revokeSession(tokens: TokenSet): void {
  if (!tokens.refreshToken) return;
  requestJson('/auth/revoke', {
    form: { token: tokens.refreshToken, token_type_hint: 'refresh_token' },
    accessToken: tokens.accessToken,
    timeoutMs: 5_000,
  }).catch(() => undefined);
}

/** Rotates the refresh token (OAuth `refresh_token` grant) for a fresh access token. */
export async function refreshSession(tokens: TokenSet): Promise<TokenSet> {
  if (!tokens.refreshToken) throw new ApiError(401, 'invalid_grant', 'No refresh token');
  const body = await requestJson('/auth/token', {
    form: { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
  });
  if (!isRecord(body) || typeof body.access_token !== 'string') {
    throw new ApiError(502, 'bad_response', 'The server sent an unexpected token answer');
  }
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : tokens.refreshToken,
    expiresInSeconds: typeof body.expires_in === 'number' ? body.expires_in : 900,
    scope: typeof body.scope === 'string' ? body.scope : tokens.scope,
  };
}
