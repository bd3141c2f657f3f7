import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../../platform/errors/index.ts';
import type { RouteAccess } from '../../../platform/http/index.ts';
import type { IdentityService } from '../service.ts';
import { grantableScopes, validateAuthorizeRequest } from './authorize-request.ts';
import type { AuthorizationRequest, Interaction } from './interaction.ts';
import { consentPage, errorPage, sendPage, signInPage } from './pages.ts';

const publicAccess: RouteAccess = { kind: 'public' };

function redirectWith(reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .redirect(url.toString(), 303);
}

const formField = (request: FastifyRequest, name: string): string | undefined => {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The SMART standalone launch pages: `GET /auth/authorize` validates and shows sign-in, the sign-in form
 * authenticates (password + second factor, same rules and limits as `/auth/login`) and shows the consent
 * screen, and consent redirects back to the app with a single-use code and the app's `state`.
 */
export function registerAuthorizeRoutes(app: FastifyInstance, identity: IdentityService): void {
  const origin = (request: AuthorizationRequest) => new URL(request.redirectUri).origin;

  app.get('/auth/authorize', { config: { access: publicAccess } }, async (request, reply) => {
    const validation = await validateAuthorizeRequest(
      request.query as Record<string, unknown>,
      identity.clients,
      identity.endpoints.fhirBase,
    );
    if (validation.kind === 'page_error')
      return sendPage(reply, errorPage(validation.message), undefined, 400);
    if (validation.kind === 'redirect_error') {
      return redirectWith(reply, validation.redirectUri, {
        error: validation.error,
        error_description: validation.description,
        state: validation.state,
      });
    }
    const interaction = await identity.interactions.seal({ request: validation.request, user: undefined });
    return sendPage(reply, signInPage({ clientName: validation.client.name, interaction, askOtp: false }));
  });

  app.post('/auth/authorize/login', { config: { access: publicAccess } }, async (request, reply) => {
    const interaction = await identity.interactions.open(formField(request, 'interaction'));
    const client = interaction && (await identity.clients.find(interaction.request.clientId));
    if (!interaction || !client || client.disabled) {
      return sendPage(
        reply,
        errorPage('This sign-in request has expired. Go back to the app and start again.'),
        undefined,
        400,
      );
    }
    const again = (error: string, askOtp = false) =>
      sendPage(
        reply,
        signInPage({
          clientName: client.name,
          interaction: formField(request, 'interaction')!,
          error,
          askOtp,
        }),
        undefined,
        401,
      );

    let outcome;
    try {
      outcome = await identity.authenticate({
        username: formField(request, 'username')?.slice(0, 256) ?? '',
        password: formField(request, 'password')?.slice(0, 1024) ?? '',
        otp: formField(request, 'otp') || undefined,
        ip: request.ip,
        requestId: request.id,
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.code === 'mfa_required')
        return again('Enter the current code from your authenticator app, or a recovery code.', true);
      if (error.code === 'rate_limited') return again('Too many attempts. Wait a while and try again.');
      if (error.code === 'invalid_grant') return again('The username or password is incorrect.');
      throw error;
    }
    if (outcome.kind === 'enrollment_required') {
      return sendPage(
        reply,
        errorPage('Set up two-step verification in Carebase first, then come back to the app.'),
        undefined,
        401,
      );
    }
    const { user } = outcome;
    if (client.institutionId && client.institutionId !== user.institutionId) {
      return sendPage(reply, errorPage('This app is not available to your organization.'), undefined, 403);
    }
    const delegations = await identity.accounts.delegationsOf(user.id);
    const { granted, patients } = grantableScopes(interaction.request.scope, client, user, delegations);
    const signedIn: Interaction = {
      request: interaction.request,
      user: {
        userId: user.id,
        authTime: Math.floor(identity.now() / 1000),
        amr: outcome.amr,
        mfaAt: outcome.mfaAt ? Math.floor(outcome.mfaAt.getTime() / 1000) : undefined,
        granted: granted.join(' '),
        patients,
      },
    };
    const relationship = new Map(delegations.map((d) => [d.patientId, d.relationship]));
    return sendPage(
      reply,
      consentPage({
        clientName: client.name,
        userName: user.displayName,
        interaction: await identity.interactions.seal(signedIn),
        scopes: granted,
        patientChoices: patients.map((id) => ({
          id,
          label:
            id === user.patientId ? 'My own record' : `Patient ${id} (${relationship.get(id) ?? 'delegate'})`,
        })),
      }),
      origin(interaction.request),
    );
  });

  app.post('/auth/authorize/consent', { config: { access: publicAccess } }, async (request, reply) => {
    const interaction = await identity.interactions.open(formField(request, 'interaction'));
    if (!interaction?.user) {
      return sendPage(
        reply,
        errorPage('This sign-in request has expired. Go back to the app and start again.'),
        undefined,
        400,
      );
    }
    const { request: authorization, user } = interaction;
    if (formField(request, 'decision') !== 'approve') {
      return redirectWith(reply, authorization.redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied access',
        state: authorization.state,
      });
    }
    let patientId: string | undefined;
    if (user.patients.length > 0) {
      patientId = formField(request, 'patient');
      if (!patientId || !user.patients.includes(patientId)) {
        return sendPage(reply, errorPage('Choose a patient record for the app.'), undefined, 400);
      }
    }
    const code = await identity.codes.create({
      clientId: authorization.clientId,
      userId: user.userId,
      redirectUri: authorization.redirectUri,
      scope: user.granted,
      codeChallenge: authorization.codeChallenge,
      patientId,
      nonce: authorization.nonce,
      authTime: new Date(user.authTime * 1000),
      mfaAt: user.mfaAt === undefined ? undefined : new Date(user.mfaAt * 1000),
      amr: user.amr,
    });
    return redirectWith(reply, authorization.redirectUri, { code, state: authorization.state });
  });
}
