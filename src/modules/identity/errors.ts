import type { FastifyReply } from 'fastify';

/** RFC 6749 §5.2 error codes (plus RFC 7009's), answered by the token and revocation endpoints. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'server_error';

/**
 * OAuth endpoints speak their own standard error shape (`{error, error_description}`), which integrators'
 * libraries parse; everything else uses AppError. The description never says which credential was wrong.
 */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    /** For the audit hook and logs only; never sent. */
    readonly internalReason?: string,
  ) {
    super(`${code}: ${description}`);
    this.name = 'OAuthError';
  }

  get status(): number {
    return this.code === 'invalid_client' ? 401 : this.code === 'server_error' ? 500 : 400;
  }
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError) {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (error.code === 'invalid_client') reply.header('www-authenticate', 'Bearer error="invalid_client"');
  return reply.code(error.status).send({ error: error.code, error_description: error.description });
}
