import type { FastifyInstance } from 'fastify';
import type { RouteAccess } from '../../../platform/http/index.ts';
import { identityScopes } from '../role-grants.ts';
import type { IdentityService } from '../service.ts';
import { clientAssertionAlgorithms } from './clients.ts';

const publicAccess: RouteAccess = { kind: 'public' };

const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials'];
const scopesSupported = [
  ...identityScopes,
  'patient/*.rs',
  'patient/*.read',
  'user/*.cruds',
  'user/*.rs',
  'user/*.read',
  'user/*.write',
  'system/*.rs',
  'system/*.read',
];

/** SMART App Launch 2.x discovery, OpenID Connect discovery and the JWKS of the access-token keys. */
export function registerDiscoveryRoutes(app: FastifyInstance, identity: IdentityService): void {
  const e = identity.endpoints;

  const smartConfiguration = {
    issuer: e.issuer,
    jwks_uri: e.jwks,
    authorization_endpoint: e.authorize,
    token_endpoint: e.token,
    revocation_endpoint: e.revoke,
    grant_types_supported: grantTypes,
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: clientAssertionAlgorithms,
    scopes_supported: scopesSupported,
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-asymmetric',
      'context-standalone-patient',
      'context-banner',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
      'sso-openid-connect',
    ],
  };

  const openidConfiguration = {
    issuer: e.issuer,
    authorization_endpoint: e.authorize,
    token_endpoint: e.token,
    revocation_endpoint: e.revoke,
    jwks_uri: e.jwks,
    response_types_supported: ['code'],
    grant_types_supported: grantTypes,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: clientAssertionAlgorithms,
    code_challenge_methods_supported: ['S256'],
    scopes_supported: scopesSupported,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'amr', 'nonce', 'fhirUser'],
  };

  const cacheable = { 'cache-control': 'public, max-age=300' };
  // SMART clients look under the FHIR base (`{iss}/.well-known/…`); others look at the server root.
  for (const url of ['/.well-known/smart-configuration', '/fhir/R4/.well-known/smart-configuration']) {
    app.get(url, { config: { access: publicAccess } }, async (_request, reply) =>
      reply.headers(cacheable).send(smartConfiguration),
    );
  }
  app.get(
    '/.well-known/openid-configuration',
    { config: { access: publicAccess } },
    async (_request, reply) => reply.headers(cacheable).send(openidConfiguration),
  );
  app.get('/auth/jwks', { config: { access: publicAccess } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=60').send(await identity.keys.jwks()),
  );
}
