import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { anonymousContext } from '../context/index.ts';
import { AppError } from '../errors/index.ts';
import type { Logger } from '../logging/index.ts';
import { registerErrorHandling } from './error-response.ts';
import { routeAccessOf, type AccessEnforcer } from './route-access.ts';

export interface HttpServerOptions {
  logger: Logger;
  bodyLimitBytes: number;
  trustProxy: boolean;
  enforceAccess: AccessEnforcer;
}

const incomingRequestId = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * A Fastify instance with the platform's cross-cutting rules: request ids, redacted logs, one error
 * mapping, and route access declarations that are checked at registration and enforced on every request.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const header = req.headers['x-request-id'];
      return typeof header === 'string' && incomingRequestId.test(header) ? header : randomUUID();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.decorateRequest('ctx', undefined as never);

  // Refuse to boot if any route forgets its access declaration (the error surfaces from ready()).
  app.addHook('onRoute', (route) => {
    routeAccessOf(route);
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const where = { ip: request.ip, userAgent: request.headers['user-agent'] };
    if (request.is404) {
      request.ctx = anonymousContext(request.id, where);
      return;
    }
    const access = request.routeOptions.config.access;
    if (!access) throw new AppError('forbidden', 'Forbidden');
    request.ctx =
      access.kind === 'public'
        ? anonymousContext(request.id, where)
        : await options.enforceAccess(request, access);
  });

  registerErrorHandling(app);
  return app;
}

/** Until the identity module provides one: public routes only. */
export const denyAllAuthenticated: AccessEnforcer = async () => {
  throw new AppError('unauthenticated', 'Authentication required');
};
