import path from 'node:path';
import type { Config } from '../../config/index.ts';
import type { Cache } from '../../platform/cache/index.ts';
import { loadOrCreateKeyFile } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { Logger } from '../../platform/logging/index.ts';
import type { IdentityKysely } from './db-types.ts';
import { createDelegationService } from './delegations.ts';
import { createAccessEnforcer } from './enforcer.ts';
import { createTokenIssuer } from './issuance.ts';
import { createPasswordAuthenticator } from './login.ts';
import { createMfaService } from './mfa.ts';
import { createClientAssertionVerifier, createClientStore } from './oauth/clients.ts';
import { createAuthorizationCodeStore } from './oauth/codes.ts';
import { createInteractionCodec } from './oauth/interaction.ts';
import { createDummyHash } from './passwords.ts';
import { ignoreSecurityEvents, loggedSink, type SecurityEventSink } from './security-events.ts';
import { createSessionStateCheck } from './session-state.ts';
import { createSessionStore, readSessionState } from './sessions.ts';
import { createSigningKeySet } from './signing-keys.ts';
import { createAccountStore } from './store.ts';
import { createLoginThrottle, createRequestRateLimiter } from './throttle.ts';
import { createAccessTokenVerifier, type TokenSettings } from './tokens.ts';

export interface IdentityDeps {
  config: Config;
  /** The records database (identity tables live beside the clinical ones, outside row-level security). */
  database: Database;
  cache: Cache;
  logger: Logger;
  /** Logins, denials, revocations: the audit issue plugs in here. A no-op by default. */
  onSecurityEvent?: SecurityEventSink;
  now?: () => number;
}

/** The client id of Carebase's own web app and of `/auth/login` sessions. */
export const firstPartyClientId = 'carebase';

export interface IdentityEndpoints {
  issuer: string;
  fhirBase: string;
  authorize: string;
  token: string;
  revoke: string;
  jwks: string;
}

export function identityEndpoints(config: Config): IdentityEndpoints {
  const base = config.http.publicUrl;
  return {
    issuer: base,
    fhirBase: `${base}/fhir/R4`,
    authorize: `${base}/auth/authorize`,
    token: `${base}/auth/token`,
    revoke: `${base}/auth/revoke`,
    jwks: `${base}/auth/jwks`,
  };
}

/**
 * Wires the identity module once per app: stores over the records database, the signing key set
 * (private keys sealed with `$keysDir/master.key`), the login throttle over the shared cache, and the
 * edge enforcer.
 */
export async function createIdentityService(deps: IdentityDeps) {
  const { config } = deps;
  const now = deps.now ?? Date.now;
  const db = deps.database.db as unknown as IdentityKysely;
  const masterKey = await loadOrCreateKeyFile(path.join(config.keysDir, 'master.key'));
  const endpoints = identityEndpoints(config);
  const settings: TokenSettings = {
    issuer: endpoints.issuer,
    audience: endpoints.fhirBase,
    clockToleranceSeconds: 5,
  };
  const onSecurityEvent = loggedSink(deps.onSecurityEvent ?? ignoreSecurityEvents, (error) =>
    deps.logger.error({ err: error }, 'security event sink failed'),
  );

  const keys = createSigningKeySet(db, masterKey, {
    rotationMs: config.auth.signingKeyRotationDays * 86_400_000,
    publishRetiredMs: (config.auth.accessTokenTtlSeconds + 300) * 1000,
    now,
  });
  const accounts = createAccountStore(db, now);
  const sessionState = createSessionStateCheck((id) => readSessionState(db, id), deps.cache, { now });
  await sessionState.ensureEpoch();
  const sessions = createSessionStore(db, { now, afterRevoke: () => sessionState.revoked() });
  const clients = createClientStore(db, now);
  const codes = createAuthorizationCodeStore(db, now);
  const mfa = createMfaService(db, masterKey, now);
  const throttle = createLoginThrottle(deps.cache, config.auth);
  const rateLimiter = createRequestRateLimiter(deps.cache, config.auth.requestsPerMinute);
  const dummyHash = await createDummyHash();
  await keys.current();

  return {
    config,
    endpoints,
    settings,
    keys,
    accounts,
    sessions,
    sessionState,
    clients,
    codes,
    mfa,
    onSecurityEvent,
    now,
    delegations: createDelegationService(db, { accounts, sessions, onSecurityEvent, now }),
    authenticate: createPasswordAuthenticator({ accounts, mfa, throttle, dummyHash, onSecurityEvent, now }),
    issuer: createTokenIssuer({ config, keys, settings, accounts, sessions, now }),
    verifyClientAssertion: createClientAssertionVerifier(db, clients, endpoints.token, now),
    interactions: createInteractionCodec(masterKey, endpoints.issuer),
    enforceAccess: createAccessEnforcer({
      verifyToken: createAccessTokenVerifier(keys, settings, { now }),
      isSessionActive: (id) => sessionState.isActive(id),
      rateLimiter,
      onSecurityEvent,
      now,
    }),
  };
}

export type IdentityService = Awaited<ReturnType<typeof createIdentityService>>;
