import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '../../platform/context/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { RouteAccess } from '../../platform/http/index.ts';
import { mfaConfirmBody, parseBody } from './schemas.ts';
import type { IdentityService } from './service.ts';
import type { UserAccount } from './store.ts';

const anySubject: RouteAccess = { kind: 'authenticated' };

export interface MyProfile {
  username: string;
  name: string;
  roles: string[];
  institution: { id: string; name: string };
  practitionerId?: string;
  patientId?: string;
  delegations: { patientId: string; relationship: string }[];
  mfaEnrolled: boolean;
}

async function currentUser(identity: IdentityService, ctx: RequestContext): Promise<UserAccount> {
  const user = ctx.subject ? await identity.accounts.findById(ctx.subject) : undefined;
  // Backend clients have no profile; a user deleted since the token was minted has none either.
  if (!user || user.disabledAt) throw new AppError('not_found', 'No user profile for this token');
  return user;
}

/** The signed-in user's own account: profile (the web app reads it), TOTP enrollment, sign out everywhere. */
export function registerMeRoutes(app: FastifyInstance, identity: IdentityService): void {
  app.get('/api/me', { config: { access: anySubject } }, async (request): Promise<MyProfile> => {
    const user = await currentUser(identity, request.ctx);
    const [institution, delegations] = await Promise.all([
      identity.accounts.institution(user.institutionId),
      identity.accounts.delegationsOf(user.id),
    ]);
    return {
      username: user.username,
      name: user.displayName,
      roles: user.roles,
      institution: institution ?? { id: user.institutionId, name: user.institutionId },
      ...(user.practitionerId ? { practitionerId: user.practitionerId } : {}),
      ...(user.patientId ? { patientId: user.patientId } : {}),
      delegations,
      mfaEnrolled: identity.mfa.isEnrolled(user),
    };
  });

  app.post('/api/me/mfa/totp/start', { config: { access: anySubject } }, async (request, reply) => {
    const user = await currentUser(identity, request.ctx);
    const started = await identity.mfa.startEnrollment(user);
    return reply.header('cache-control', 'no-store').send(started);
  });

  app.post('/api/me/mfa/totp/confirm', { config: { access: anySubject } }, async (request, reply) => {
    const user = await currentUser(identity, request.ctx);
    const { code } = parseBody(mfaConfirmBody, request.body);
    const recoveryCodes = await identity.mfa.confirmEnrollment(user, code);
    await identity.onSecurityEvent({
      type: 'mfa.enrolled',
      at: new Date(identity.now()),
      subject: user.id,
      ip: request.ip,
      requestId: request.id,
    });
    return reply.header('cache-control', 'no-store').send({ mfaEnrolled: true, recoveryCodes });
  });

  app.delete('/api/me/sessions', { config: { access: anySubject } }, async (request, reply) => {
    const user = await currentUser(identity, request.ctx);
    const revoked = await identity.sessions.revokeAllForUser(user.id, 'logout_everywhere');
    await identity.onSecurityEvent({
      type: 'session.revoked',
      at: new Date(identity.now()),
      subject: user.id,
      ip: request.ip,
      requestId: request.id,
      reason: 'logout_everywhere',
    });
    return reply.send({ revoked });
  });
}
