import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app/index.ts';
import type { PurposeOfUse } from '../../src/platform/context/index.ts';
import { AppError } from '../../src/platform/errors/index.ts';
import type { AuthzFixture } from './authz-fixture.ts';

/**
 * The real app (records, authz routes, Cedar policy, RLS) with a test edge: the caller is a demo login
 * named in `x-test-user`, purpose in `x-purpose-of-use` (`none` = no purpose). The route's role list is
 * still enforced; tokens and scopes are the identity module's and are tested there.
 */
export async function authzApp(f: AuthzFixture): Promise<FastifyInstance> {
  return buildApp(f.t.runtime, {
    webDistDir: '/nonexistent',
    enforceAccess: async (request, access) => {
      if (access.kind === 'public') throw new AppError('internal', 'public');
      const user = request.headers['x-test-user'];
      if (typeof user !== 'string') throw new AppError('unauthenticated', 'Authentication required');
      const header = request.headers['x-purpose-of-use'];
      const purpose =
        header === 'none' ? null : typeof header === 'string' ? (header as PurposeOfUse) : undefined;
      const ctx = f.ctxFor(user, purpose, { requestId: request.id });
      if (access.roles && !access.roles.some((r) => ctx.roles.includes(r))) {
        throw new AppError('forbidden', 'Forbidden', { reason: 'role_not_permitted' });
      }
      return ctx;
    },
  });
}

export function as(user: string, purpose?: string): Record<string, string> {
  return { 'x-test-user': user, ...(purpose ? { 'x-purpose-of-use': purpose } : {}) };
}
