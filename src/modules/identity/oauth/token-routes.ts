import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAppError } from '../../../platform/errors/index.ts';
import type { RouteAccess } from '../../../platform/http/index.ts';
import { OAuthError, sendOAuthError } from '../errors.ts';
import type { RequestMeta } from '../password-login.ts';
import { revokeToken } from '../revocation.ts';
import type { IdentityService } from '../service.ts';
import {
  authorizationCodeGrant,
  clientCredentialsGrant,
  refreshTokenGrant,
  type TokenRequest,
} from './grants.ts';

const publicAccess: RouteAccess = { kind: 'public' };

function formOf(request: FastifyRequest): TokenRequest {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new OAuthError('invalid_request', 'Send the parameters as a form');
  const params: TokenRequest = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string')
      throw new OAuthError('invalid_request', `${name} must be given once, as text`);
    params[name] = value;
  }
  return params;
}

const metaOf = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
  requestId: request.id,
});

/** `POST /auth/token` (RFC 6749 §3.2) and `POST /auth/revoke` (RFC 7009), answering in OAuth's error shape. */
export function registerTokenRoutes(app: FastifyInstance, identity: IdentityService): void {
  app.post('/auth/token', { config: { access: publicAccess } }, async (request, reply) => {
    try {
      const params = formOf(request);
      const meta = metaOf(request);
      let response;
      switch (params.grant_type) {
        case 'authorization_code':
          response = await authorizationCodeGrant(identity, params, meta);
          break;
        case 'refresh_token':
          response = await refreshTokenGrant(identity, params, meta);
          break;
        case 'client_credentials':
          response = await clientCredentialsGrant(identity, params, meta);
          break;
        case undefined:
          throw new OAuthError('invalid_request', 'grant_type is required');
        default:
          throw new OAuthError(
            'unsupported_grant_type',
            'Supported: authorization_code, refresh_token, client_credentials',
          );
      }
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(response);
    } catch (error) {
      if (error instanceof OAuthError) {
        request.log.info({ oauthError: error.code, why: error.internalReason }, 'token request refused');
        return sendOAuthError(reply, error);
      }
      if (isAppError(error) && error.code === 'invalid_grant')
        return sendOAuthError(reply, new OAuthError('invalid_grant', error.message));
      throw error;
    }
  });

  app.post('/auth/revoke', { config: { access: publicAccess } }, async (request, reply) => {
    try {
      const params = formOf(request);
      if (!params.token) throw new OAuthError('invalid_request', 'token is required');
      await revokeToken(identity, params.token, {
        clientId: params.client_id,
        allSessions: params.revoke_all_sessions === 'true',
        meta: metaOf(request),
      });
      return reply.header('cache-control', 'no-store').code(200).send({});
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error);
      throw error;
    }
  });
}
