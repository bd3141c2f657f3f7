import type { Config } from '../../config/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { OAuthClient } from './oauth/clients.ts';
import { purposesFor } from './role-grants.ts';
import { splitScope } from './scopes.ts';
import type { Session, SessionStore } from './sessions.ts';
import type { SigningKeySet } from './signing-keys.ts';
import type { AccountStore, UserAccount } from './store.ts';
import { mintAccessToken, mintIdToken, type AccessTokenSubject, type TokenSettings } from './tokens.ts';

/** RFC 6749 §5.1 token response, with the SMART launch-context fields. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
  patient?: string;
  need_patient_banner?: boolean;
}

export interface IssueOptions {
  /** A new refresh token for this session (first issue); rotation passes the one it already made. */
  refreshToken?: 'new' | string;
  idToken?: { clientId: string; nonce: string | undefined };
}

/** Mints the tokens of a session from the current account (or client) row. */
export function createTokenIssuer(deps: {
  config: Config;
  keys: SigningKeySet;
  settings: TokenSettings;
  accounts: AccountStore;
  sessions: SessionStore;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const fhirBase = deps.settings.audience;

  const ttlFor = (session: Session) =>
    Math.min(
      deps.config.auth.accessTokenTtlSeconds,
      Math.floor((session.expiresAt.getTime() - now()) / 1000),
    );

  const fhirUserOf = (user: UserAccount) =>
    user.practitionerId
      ? `${fhirBase}/Practitioner/${user.practitionerId}`
      : user.patientId
        ? `${fhirBase}/Patient/${user.patientId}`
        : undefined;

  const respond = async (
    session: Session,
    subject: AccessTokenSubject,
    options: IssueOptions,
    notAfterMs = Infinity,
  ) => {
    // A token carrying a delegation with an end date lives no longer than the delegation.
    const expiresIn = Math.min(ttlFor(session), Math.max(1, Math.floor((notAfterMs - now()) / 1000)));
    if (expiresIn <= 0) throw new AppError('invalid_grant', 'The session has expired');
    const response: TokenResponse = {
      access_token: await mintAccessToken(deps.keys, deps.settings, subject, expiresIn),
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope: session.scope,
    };
    if (options.refreshToken === 'new') {
      response.refresh_token = await deps.sessions.issueRefreshToken(session.id, session.expiresAt);
    } else if (options.refreshToken) {
      response.refresh_token = options.refreshToken;
    }
    return response;
  };

  return {
    async forUser(session: Session, user: UserAccount, options: IssueOptions = {}): Promise<TokenResponse> {
      const inForce = await deps.accounts.delegationsOf(user.id);
      // A SMART app opened for one patient acts in that patient's compartment only.
      const carried =
        session.kind === 'authorization_code' && session.patientId
          ? inForce.filter((d) => d.patientId === session.patientId)
          : inForce;
      const delegations = carried.map((d) => d.patientId);
      const notAfterMs = Math.min(...carried.map((d) => d.endsAt?.getTime() ?? Infinity));
      const subject: AccessTokenSubject = {
        sub: user.id,
        sid: session.id,
        client_id: session.clientId,
        scope: session.scope,
        roles: user.roles,
        institution: user.institutionId,
        pou: purposesFor(user.roles),
        fhirUser:
          splitScope(session.scope).includes('fhirUser') || session.kind === 'password'
            ? fhirUserOf(user)
            : undefined,
        patient: session.patientId,
        practitioner: user.practitionerId,
        delegations,
        auth_time: Math.floor(session.authTime.getTime() / 1000),
        amr: session.amr,
      };
      const response = await respond(session, subject, options, notAfterMs);
      if (options.idToken) {
        response.id_token = await mintIdToken(
          deps.keys,
          deps.settings,
          {
            sub: user.id,
            clientId: options.idToken.clientId,
            fhirUser: subject.fhirUser,
            nonce: options.idToken.nonce,
            authTime: subject.auth_time,
            amr: session.amr,
          },
          deps.config.auth.accessTokenTtlSeconds,
        );
      }
      if (session.kind === 'authorization_code' && session.patientId) {
        response.patient = session.patientId;
        response.need_patient_banner = true;
      }
      return response;
    },

    async forClient(session: Session, client: OAuthClient): Promise<TokenResponse> {
      return respond(
        session,
        {
          sub: `client:${client.id}`,
          sid: session.id,
          client_id: client.id,
          scope: session.scope,
          roles: client.roles,
          institution: client.institutionId,
          pou: purposesFor(client.roles),
          fhirUser: undefined,
          patient: undefined,
          practitioner: undefined,
          delegations: [],
          auth_time: Math.floor(session.authTime.getTime() / 1000),
          amr: [],
        },
        {},
      );
    },
  };
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
