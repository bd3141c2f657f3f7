import type { z } from 'zod';
import type { RequestContext, Role } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { OAuthClient } from './oauth/clients.ts';
import { assertAcceptablePassword, hashPassword } from './passwords.ts';
import type { createUserBody, registerClientBody } from './schemas.ts';
import type { IdentityService } from './service.ts';
import type { UserAccount } from './store.ts';

export interface UserSummary {
  id: string;
  username: string;
  name: string;
  roles: Role[];
  practitionerId: string | null;
  patientId: string | null;
  disabled: boolean;
  mfaEnrolled: boolean;
  createdAt: string;
}

export function summarizeUser(user: UserAccount): UserSummary {
  return {
    id: user.id,
    username: user.username,
    name: user.displayName,
    roles: user.roles,
    practitionerId: user.practitionerId ?? null,
    patientId: user.patientId ?? null,
    disabled: user.disabledAt !== undefined,
    mfaEnrolled: user.totpSecret !== undefined,
    createdAt: user.createdAt.toISOString(),
  };
}

export function summarizeClient(client: OAuthClient) {
  const { jwks: _jwks, ...rest } = client;
  return { ...rest, hasJwks: client.jwks !== undefined };
}

/**
 * User and client management for institution admins. Every lookup is scoped to the admin's institution,
 * so a user or client of another institution answers 404 exactly like one that does not exist.
 */
export function createAdminService(identity: IdentityService) {
  const institutionOf = (ctx: RequestContext): string => {
    if (!ctx.institution) throw new AppError('forbidden', 'Forbidden', { reason: 'no_institution' });
    return ctx.institution;
  };
  const userInInstitution = async (ctx: RequestContext, userId: string): Promise<UserAccount> => {
    const user = await identity.accounts.findInInstitution(userId, institutionOf(ctx));
    if (!user) throw new AppError('not_found', 'User not found');
    return user;
  };
  const changed = (ctx: RequestContext, subject: string, reason: string) =>
    identity.onSecurityEvent({
      type: 'admin.user_changed',
      at: new Date(identity.now()),
      subject,
      username: ctx.subject,
      institution: ctx.institution,
      ip: ctx.ip,
      requestId: ctx.requestId,
      reason,
    });

  return {
    async listUsers(ctx: RequestContext): Promise<UserSummary[]> {
      return (await identity.accounts.listInInstitution(institutionOf(ctx))).map(summarizeUser);
    },

    async createUser(ctx: RequestContext, input: z.infer<typeof createUserBody>): Promise<UserSummary> {
      const institutionId = institutionOf(ctx);
      assertAcceptablePassword(input.password, input.username);
      if (input.roles.includes('patient') && !input.patientId) {
        throw new AppError('validation_failed', 'A patient account needs a patientId', {
          issues: [{ path: 'patientId', message: 'required for the patient role' }],
        });
      }
      if (await identity.accounts.usernameTaken(input.username))
        throw new AppError('conflict', 'That username is taken');
      const user = await identity.accounts.create({
        username: input.username,
        displayName: input.name,
        passwordHash: await hashPassword(input.password),
        roles: input.roles,
        institutionId,
        practitionerId: input.practitionerId,
        patientId: input.patientId,
      });
      await changed(ctx, user.id, 'created');
      return summarizeUser(user);
    },

    async setRoles(ctx: RequestContext, userId: string, roles: Role[]): Promise<UserSummary> {
      const user = await userInInstitution(ctx, userId);
      if (user.id === ctx.subject && !roles.includes('admin'))
        throw new AppError('conflict', 'Admins cannot remove their own admin role');
      await identity.accounts.setRoles(user.id, roles);
      // Tokens carry roles: end the user's sessions so the change applies on the next request.
      await identity.sessions.revokeAllForUser(user.id, 'roles_changed');
      await changed(ctx, user.id, 'roles_changed');
      return summarizeUser({ ...user, roles });
    },

    async setDisabled(ctx: RequestContext, userId: string, disabled: boolean): Promise<UserSummary> {
      const user = await userInInstitution(ctx, userId);
      if (user.id === ctx.subject) throw new AppError('conflict', 'Admins cannot disable themselves');
      await identity.accounts.setDisabled(user.id, disabled);
      if (disabled) await identity.sessions.revokeAllForUser(user.id, 'user_disabled');
      await changed(ctx, user.id, disabled ? 'disabled' : 'enabled');
      return summarizeUser({ ...user, disabledAt: disabled ? new Date(identity.now()) : undefined });
    },

    async resetMfa(ctx: RequestContext, userId: string): Promise<UserSummary> {
      const user = await userInInstitution(ctx, userId);
      await identity.mfa.reset(user.id);
      await identity.sessions.revokeAllForUser(user.id, 'mfa_reset');
      await identity.onSecurityEvent({
        type: 'mfa.reset',
        at: new Date(identity.now()),
        subject: user.id,
        username: ctx.subject,
        institution: ctx.institution,
        requestId: ctx.requestId,
      });
      return summarizeUser({ ...user, totpSecret: undefined });
    },

    async listClients(ctx: RequestContext) {
      return (await identity.clients.listInInstitution(institutionOf(ctx))).map(summarizeClient);
    },

    async registerClient(ctx: RequestContext, input: z.infer<typeof registerClientBody>) {
      const institutionId = institutionOf(ctx);
      const client = await identity.clients.register(
        input.kind === 'public'
          ? {
              name: input.name,
              kind: 'public',
              institutionId,
              redirectUris: input.redirectUris,
              scopes: input.scopes,
            }
          : {
              name: input.name,
              kind: 'backend',
              institutionId,
              jwks: input.jwks as never,
              jwksUri: input.jwksUri,
              scopes: input.scopes,
              roles: input.roles,
            },
      );
      await identity.onSecurityEvent({
        type: 'admin.client_changed',
        at: new Date(identity.now()),
        clientId: client.id,
        username: ctx.subject,
        institution: institutionId,
        requestId: ctx.requestId,
        reason: 'registered',
      });
      return summarizeClient(client);
    },

    async disableClient(ctx: RequestContext, clientId: string) {
      const client = await identity.clients.find(clientId);
      if (!client || client.institutionId !== institutionOf(ctx))
        throw new AppError('not_found', 'Client not found');
      await identity.clients.setDisabled(client.id, true);
      await identity.sessions.revokeAllForClient(client.id, 'client_disabled');
      await identity.onSecurityEvent({
        type: 'admin.client_changed',
        at: new Date(identity.now()),
        clientId: client.id,
        username: ctx.subject,
        institution: ctx.institution,
        requestId: ctx.requestId,
        reason: 'disabled',
      });
      return summarizeClient({ ...client, disabled: true });
    },
  };
}
