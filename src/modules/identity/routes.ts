import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RouteAccess } from '../../platform/http/index.ts';
import { registerAdminRoutes } from './admin-routes.ts';
import { registerDelegationRoutes } from './delegation-routes.ts';
import { LoginRateLimitedError } from './login.ts';
import { registerMeRoutes } from './me-routes.ts';
import { registerAuthorizeRoutes } from './oauth/authorize-routes.ts';
import { registerDiscoveryRoutes } from './oauth/discovery-routes.ts';
import { registerTokenRoutes } from './oauth/token-routes.ts';
import { passwordLogin } from './password-login.ts';
import { loginBody, parseBody } from './schemas.ts';
import type { IdentityService } from './service.ts';

const formBodyLimit = 64 * 1024;

/** OAuth endpoints and the authorization pages take `application/x-www-form-urlencoded` (RFC 6749). */
function acceptFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: formBodyLimit },
    (_request, body, done) => {
      const params = new URLSearchParams(body as string);
      const form: Record<string, string | string[]> = {};
      for (const [name, value] of params) {
        const existing = form[name];
        // Repeated parameters stay visible as arrays so the endpoints can refuse them.
        form[name] =
          existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
      }
      done(null, form);
    },
  );
}

function registerLoginRoute(app: FastifyInstance, identity: IdentityService): void {
  const access: RouteAccess = { kind: 'public' };
  app.post('/auth/login', { config: { access } }, async (request, reply) => {
    const body = parseBody(loginBody, request.body);
    reply.header('cache-control', 'no-store');
    let result;
    try {
      result = await passwordLogin(identity, body, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        requestId: request.id,
      });
    } catch (error) {
      if (error instanceof LoginRateLimitedError)
        reply.header('retry-after', String(error.retryAfterSeconds));
      throw error;
    }
    if (result.kind === 'enrollment_required') {
      // Same error as a missing code, plus a token that can only enroll a second factor.
      return reply.code(401).send({
        error: 'mfa_required',
        reason: 'mfa_enrollment_required',
        message: 'Enroll an authenticator app with this token, then sign in with a code',
        mfa_enrollment_token: result.enrollmentToken,
        expires_in: result.expiresIn,
        requestId: request.id,
      });
    }
    return result.body;
  });
}

/** Every identity route; each declares its access (public or authenticated + roles/MFA). */
export function identityRoutes(identity: IdentityService): FastifyPluginAsync {
  return async (app) => {
    acceptFormBodies(app);
    registerLoginRoute(app, identity);
    registerTokenRoutes(app, identity);
    registerDiscoveryRoutes(app, identity);
    registerAuthorizeRoutes(app, identity);
    registerMeRoutes(app, identity);
    registerAdminRoutes(app, identity);
    registerDelegationRoutes(app, identity);
  };
}
