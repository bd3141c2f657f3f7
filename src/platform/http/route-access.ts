import type { FastifyRequest, RouteOptions } from 'fastify';
import type { RequestContext, Role } from '../context/index.ts';

/**
 * What a route requires. Every route must declare one in its options (`config: { access }`); the app
 * refuses to boot otherwise, so a new endpoint cannot be exposed by forgetting to protect it.
 */
export type RouteAccess =
  | { kind: 'public' }
  | {
      kind: 'authenticated';
      /** SMART v2 scopes, any of which satisfies the route (e.g. `user/Observation.rs`). */
      scopes?: readonly string[];
      /** Roles, any of which is allowed. Absent means any authenticated subject. */
      roles?: readonly Role[];
      /** Requires a recent MFA verification (privileged actions). */
      mfa?: boolean;
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Built once per request by the access enforcer, before any handler runs. */
    ctx: RequestContext;
  }
}

/**
 * Turns a declared requirement plus the incoming request into a RequestContext, or throws an AppError
 * (401/403/429). The identity module provides the real one; until then only public routes can succeed.
 */
export type AccessEnforcer = (request: FastifyRequest, access: RouteAccess) => Promise<RequestContext>;

export class MissingRouteAccessError extends Error {
  constructor(method: string | string[], url: string) {
    super(
      `Route ${String(method)} ${url} declares no access requirement (config.access); refusing to start.`,
    );
    this.name = 'MissingRouteAccessError';
  }
}

export function routeAccessOf(route: Pick<RouteOptions, 'config' | 'method' | 'url'>): RouteAccess {
  const access = (route.config as { access?: RouteAccess } | undefined)?.access;
  if (!access || (access.kind !== 'public' && access.kind !== 'authenticated')) {
    throw new MissingRouteAccessError(route.method, route.url);
  }
  return access;
}
