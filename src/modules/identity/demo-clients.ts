import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Database } from '../../platform/db/index.ts';
import type { IdentityKysely } from './db-types.ts';
import { createClientStore } from './oauth/clients.ts';

export const demoSmartAppClientId = 'demo-smart-app';
export const demoBackendClientId = 'demo-backend-service';

export interface DemoOAuthClients {
  smartApp: { clientId: string; redirectUris: string[]; scopes: string[] };
  /** The private key goes into demo-credentials.json so integrators can try Backend Services at once. */
  backend: { clientId: string; tokenEndpoint: string; scopes: string[]; privateJwk: JWK };
}

/**
 * The demo set's OAuth clients: a public SMART app (standalone launch with PKCE) and a backend service
 * (client credentials with an ES384-signed assertion). Idempotent by fixed id; a rerun replaces the
 * backend key.
 */
export async function registerDemoOAuthClients(
  database: Database,
  options: { publicUrl: string; redirectUris?: string[]; backendInstitutionId?: string },
): Promise<DemoOAuthClients> {
  const clients = createClientStore(database.db as unknown as IdentityKysely);
  const publicUrl = options.publicUrl.replace(/\/$/, '');
  const redirectUris = options.redirectUris ?? [
    `${publicUrl}/smart-demo/callback`,
    'http://127.0.0.1:9000/callback',
  ];
  const smartScopes = [
    'openid',
    'fhirUser',
    'launch/patient',
    'offline_access',
    'online_access',
    'patient/*.rs',
    'user/*.rs',
  ];
  await clients.register({
    id: demoSmartAppClientId,
    name: 'Carebase demo SMART app',
    kind: 'public',
    redirectUris,
    scopes: smartScopes,
  });

  const { publicKey, privateKey } = await generateKeyPair('ES384', { extractable: true });
  const kid = `demo-${Date.now().toString(36)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES384', use: 'sig' };
  const backendScopes = ['system/*.rs'];
  await clients.register({
    id: demoBackendClientId,
    name: 'Carebase demo backend service',
    kind: 'backend',
    institutionId: options.backendInstitutionId,
    jwks: { keys: [publicJwk] },
    scopes: backendScopes,
    roles: [],
  });
  return {
    smartApp: { clientId: demoSmartAppClientId, redirectUris, scopes: smartScopes },
    backend: {
      clientId: demoBackendClientId,
      tokenEndpoint: `${publicUrl}/auth/token`,
      scopes: backendScopes,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES384', key_ops: ['sign'] },
    },
  };
}
