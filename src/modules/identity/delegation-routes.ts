import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteAccess } from '../../platform/http/index.ts';
import { acceptInvitationBody, inviteDelegateBody, parseBody } from './schemas.ts';
import type { IdentityService } from './service.ts';

/** A patient's own delegates. The service checks again that the caller is a patient with a record. */
const patientOnly: RouteAccess = { kind: 'authenticated', roles: ['patient'] };
const config = { access: patientOnly };
const publicAccess: RouteAccess = { kind: 'public' };

const idParam = (request: FastifyRequest) => (request.params as { id: string }).id;

export function registerDelegationRoutes(app: FastifyInstance, identity: IdentityService): void {
  const { delegations } = identity;

  app.get('/api/me/delegates', { config }, async (request, reply) =>
    reply.header('cache-control', 'no-store').send(await delegations.list(request.ctx)),
  );

  app.post('/api/me/delegates/invitations', { config }, async (request, reply) =>
    reply
      .code(201)
      .header('cache-control', 'no-store')
      .send(await delegations.invite(request.ctx, parseBody(inviteDelegateBody, request.body))),
  );

  app.delete('/api/me/delegates/invitations/:id', { config }, async (request) =>
    delegations.cancelInvitation(request.ctx, idParam(request)),
  );

  app.delete('/api/me/delegates/:id', { config }, async (request) =>
    delegations.remove(request.ctx, idParam(request)),
  );

  app.post(
    '/auth/delegate-invitations/accept',
    { config: { access: publicAccess } },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(
          await delegations.accept(parseBody(acceptInvitationBody, request.body), {
            ip: request.ip,
            requestId: request.id,
          }),
        ),
  );
}
