import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteAccess } from '../../platform/http/index.ts';
import { createAdminService } from './admin.ts';
import { createUserBody, parseBody, registerClientBody, setRolesBody } from './schemas.ts';
import type { IdentityService } from './service.ts';

/** Institution admins, with a recent second factor. */
const adminAccess: RouteAccess = { kind: 'authenticated', roles: ['admin'], mfa: true };
const config = { access: adminAccess };

const idParam = (request: FastifyRequest) => (request.params as { id: string }).id;

export function registerAdminRoutes(app: FastifyInstance, identity: IdentityService): void {
  const admin = createAdminService(identity);

  app.get('/api/admin/users', { config }, async (request) => ({ users: await admin.listUsers(request.ctx) }));

  app.post('/api/admin/users', { config }, async (request, reply) =>
    reply.code(201).send(await admin.createUser(request.ctx, parseBody(createUserBody, request.body))),
  );

  app.put('/api/admin/users/:id/roles', { config }, async (request) =>
    admin.setRoles(request.ctx, idParam(request), parseBody(setRolesBody, request.body).roles),
  );

  app.post('/api/admin/users/:id/disable', { config }, async (request) =>
    admin.setDisabled(request.ctx, idParam(request), true),
  );
  app.post('/api/admin/users/:id/enable', { config }, async (request) =>
    admin.setDisabled(request.ctx, idParam(request), false),
  );
  app.post('/api/admin/users/:id/mfa-reset', { config }, async (request) =>
    admin.resetMfa(request.ctx, idParam(request)),
  );

  app.get('/api/admin/oauth-clients', { config }, async (request) => ({
    clients: await admin.listClients(request.ctx),
  }));
  app.post('/api/admin/oauth-clients', { config }, async (request, reply) =>
    reply
      .code(201)
      .send(await admin.registerClient(request.ctx, parseBody(registerClientBody, request.body))),
  );
  app.post('/api/admin/oauth-clients/:id/disable', { config }, async (request) =>
    admin.disableClient(request.ctx, idParam(request)),
  );
}
