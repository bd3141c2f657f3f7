import { identityScopes, isPatientFacing, scopeCeilingFor } from '../role-grants.ts';
import { narrowScopes, resourceScopes, splitScope } from '../scopes.ts';
import type { Delegation, UserAccount } from '../store.ts';
import type { ClientStore, OAuthClient } from './clients.ts';
import type { AuthorizationRequest } from './interaction.ts';

export type AuthorizeValidation =
  | { kind: 'ok'; client: OAuthClient; request: AuthorizationRequest }
  /** The client or redirect URI cannot be trusted: show an error page, never redirect (RFC 6749 §4.1.2.1). */
  | { kind: 'page_error'; message: string }
  | {
      kind: 'redirect_error';
      redirectUri: string;
      error: string;
      description: string;
      state: string | undefined;
    };

const single = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Validates `GET /auth/authorize` for a SMART standalone launch: a registered public client, an exactly
 * matching redirect URI, `response_type=code`, PKCE with S256 only, and `aud` naming our FHIR base.
 */
export async function validateAuthorizeRequest(
  query: Record<string, unknown>,
  clients: ClientStore,
  fhirBase: string,
): Promise<AuthorizeValidation> {
  // Repeated parameters arrive as arrays: they are invalid (RFC 6749 §3.1), and `single` drops them.
  const clientId = single(query.client_id);
  const redirectUri = single(query.redirect_uri);
  if (!clientId)
    return { kind: 'page_error', message: 'The app did not identify itself (client_id is missing).' };
  const client = await clients.find(clientId);
  if (!client || client.disabled || client.kind !== 'public') {
    return { kind: 'page_error', message: 'This app is not registered with Carebase.' };
  }
  if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
    return { kind: 'page_error', message: 'The app asked to return to an address it has not registered.' };
  }
  const state = single(query.state);
  const fail = (error: string, description: string): AuthorizeValidation => ({
    kind: 'redirect_error',
    redirectUri,
    error,
    description,
    state,
  });
  if (state !== undefined && state.length > 1024) return fail('invalid_request', 'state is too long');
  if (single(query.response_type) !== 'code')
    return fail('unsupported_response_type', 'Only response_type=code is supported');
  if (query.launch !== undefined)
    return fail('invalid_request', 'EHR launch is not supported; use a standalone launch');
  const codeChallenge = single(query.code_challenge);
  if (
    single(query.code_challenge_method) !== 'S256' ||
    !codeChallenge ||
    !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)
  ) {
    return fail('invalid_request', 'PKCE with code_challenge_method=S256 is required');
  }
  if (single(query.aud)?.replace(/\/$/, '') !== fhirBase)
    return fail('invalid_request', `aud must be ${fhirBase}`);
  const scope = single(query.scope)?.trim();
  if (!scope || scope.length > 2048) return fail('invalid_scope', 'scope is required');
  const nonce = single(query.nonce);
  if (nonce !== undefined && nonce.length > 256) return fail('invalid_request', 'nonce is too long');
  return { kind: 'ok', client, request: { clientId, redirectUri, scope, state, codeChallenge, nonce } };
}

/**
 * What the signed-in user can actually grant: requested ∩ client ceiling ∩ the user's role ceiling.
 * `launch/patient` and `patient/` scopes survive only when there is a patient to open the app for.
 */
export function grantableScopes(
  requested: string,
  client: OAuthClient,
  user: UserAccount,
  delegations: Delegation[],
): { granted: string[]; patients: string[] } {
  const userCeiling = [...scopeCeilingFor(user.roles), ...identityScopes];
  let granted = narrowScopes(narrowScopes(splitScope(requested), client.scopes), userCeiling);
  const patients = isPatientFacing(user.roles)
    ? [...(user.patientId ? [user.patientId] : []), ...delegations.map((d) => d.patientId)]
    : [];
  const wantsPatientContext =
    granted.includes('launch/patient') || resourceScopes(granted).some((s) => s.context === 'patient');
  if (wantsPatientContext && patients.length === 0) {
    granted = granted.filter((s) => s !== 'launch/patient' && !s.startsWith('patient/'));
  }
  return { granted, patients: wantsPatientContext ? patients : [] };
}
