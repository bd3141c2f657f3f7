import { randomBytes } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import { isRole, type Role } from '../../../platform/context/index.ts';
import type { IdentityKysely, OAuthClientTable } from '../db-types.ts';
import { OAuthError } from '../errors.ts';

export interface OAuthClient {
  id: string;
  name: string;
  /** `public`: SMART app with redirect URIs and PKCE. `backend`: SMART Backend Services (private_key_jwt). */
  kind: OAuthClientTable['kind'];
  /** Set: only users of this institution may authorize the app, and a backend acts for it. */
  institutionId: string | undefined;
  redirectUris: string[];
  jwks: JSONWebKeySet | undefined;
  jwksUri: string | undefined;
  /** The most this client may be granted. */
  scopes: string[];
  /** Backend clients act with these roles (purposes of use follow from them). */
  roles: Role[];
  disabled: boolean;
}

export interface NewOAuthClient {
  id?: string;
  name: string;
  kind: OAuthClient['kind'];
  institutionId?: string | undefined;
  redirectUris?: string[];
  jwks?: JSONWebKeySet | undefined;
  jwksUri?: string | undefined;
  scopes: string[];
  roles?: Role[];
}

/** SMART Backend Services: RS384 and ES384 are required; ES256 is accepted too. */
export const clientAssertionAlgorithms = ['RS384', 'ES384', 'ES256'];
export const clientAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const maxAssertionLifetimeSeconds = 300;

type ClientRow = {
  id: string;
  name: string;
  kind: OAuthClientTable['kind'];
  institution_id: string | null;
  redirect_uris: string[];
  jwks: { keys: Record<string, unknown>[] } | null;
  jwks_uri: string | null;
  scopes: string[];
  roles: string[];
  disabled_at: Date | null;
};

function clientOf(row: ClientRow): OAuthClient {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    institutionId: row.institution_id ?? undefined,
    redirectUris: row.redirect_uris,
    jwks: (row.jwks as JSONWebKeySet | null) ?? undefined,
    jwksUri: row.jwks_uri ?? undefined,
    scopes: row.scopes,
    roles: row.roles.filter(isRole),
    disabled: row.disabled_at !== null,
  };
}

export function createClientStore(db: IdentityKysely, now: () => number = Date.now) {
  const columns = [
    'id',
    'name',
    'kind',
    'institution_id',
    'redirect_uris',
    'jwks',
    'jwks_uri',
    'scopes',
    'roles',
    'disabled_at',
  ] as const;
  return {
    async find(id: string): Promise<OAuthClient | undefined> {
      const row = await db.selectFrom('oauth_client').select(columns).where('id', '=', id).executeTakeFirst();
      return row ? clientOf(row) : undefined;
    },

    async listInInstitution(institutionId: string): Promise<OAuthClient[]> {
      const rows = await db
        .selectFrom('oauth_client')
        .select(columns)
        .where('institution_id', '=', institutionId)
        .orderBy('name')
        .execute();
      return rows.map(clientOf);
    },

    /** Inserts, or with a fixed id replaces the registration (idempotent seeding). */
    async register(client: NewOAuthClient): Promise<OAuthClient> {
      const id = client.id ?? `cb-${randomBytes(9).toString('base64url')}`;
      const values = {
        id,
        name: client.name,
        kind: client.kind,
        institution_id: client.institutionId ?? null,
        redirect_uris: client.redirectUris ?? [],
        jwks: client.jwks ? JSON.stringify(client.jwks) : null,
        jwks_uri: client.jwksUri ?? null,
        scopes: client.scopes,
        roles: client.roles ?? [],
      };
      const { id: _id, ...updates } = values;
      const row = await db
        .insertInto('oauth_client')
        .values(values)
        .onConflict((oc) => oc.column('id').doUpdateSet(updates))
        .returning(columns)
        .executeTakeFirstOrThrow();
      return clientOf(row);
    },

    async setDisabled(id: string, disabled: boolean): Promise<void> {
      await db
        .updateTable('oauth_client')
        .set({ disabled_at: disabled ? new Date(now()) : null })
        .where('id', '=', id)
        .execute();
    },
  };
}

export type ClientStore = ReturnType<typeof createClientStore>;

/**
 * RFC 7523 client authentication (`private_key_jwt`) as SMART Backend Services profiles it: iss = sub =
 * client id, aud = the token endpoint exactly, exp at most five minutes ahead, and a `jti` that is
 * recorded until expiry so the same assertion cannot be replayed.
 */
export function createClientAssertionVerifier(
  db: IdentityKysely,
  clients: ClientStore,
  tokenEndpoint: string,
  now: () => number = Date.now,
) {
  const remoteKeySets = new Map<string, JWTVerifyGetKey>();
  const keySetOf = (client: OAuthClient): JWTVerifyGetKey | undefined => {
    if (client.jwks) return createLocalJWKSet(client.jwks);
    if (!client.jwksUri) return undefined;
    let keySet = remoteKeySets.get(client.jwksUri);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(client.jwksUri), {
        timeoutDuration: 5_000,
        cooldownDuration: 30_000,
      });
      remoteKeySets.set(client.jwksUri, keySet);
    }
    return keySet;
  };

  const fail = (why: string): never => {
    throw new OAuthError('invalid_client', 'Client authentication failed', why);
  };

  return async function verifyClientAssertion(
    type: string | undefined,
    assertion: string | undefined,
  ): Promise<OAuthClient> {
    if (type !== clientAssertionType || !assertion) fail('missing or unsupported client_assertion_type');
    let clientId: string;
    try {
      const header = decodeProtectedHeader(assertion!);
      if (!header.alg || !clientAssertionAlgorithms.includes(header.alg))
        fail(`algorithm ${header.alg} not accepted`);
      const unverified = decodeJwt(assertion!);
      if (typeof unverified.iss !== 'string' || unverified.iss !== unverified.sub)
        fail('iss and sub must both be the client id');
      clientId = unverified.iss as string;
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      return fail('malformed assertion');
    }
    const client = await clients.find(clientId);
    if (!client || client.disabled || client.kind !== 'backend')
      return fail('unknown, disabled or non-backend client');
    const keySet = keySetOf(client);
    if (!keySet) return fail('client has no registered keys');

    let payload;
    try {
      ({ payload } = await jwtVerify(assertion!, keySet, {
        algorithms: clientAssertionAlgorithms,
        issuer: client.id,
        subject: client.id,
        audience: tokenEndpoint,
        clockTolerance: 5,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      return fail(`assertion rejected: ${(error as { code?: string }).code ?? 'invalid'}`);
    }
    const nowSeconds = Math.floor(now() / 1000);
    if (payload.exp! > nowSeconds + maxAssertionLifetimeSeconds) fail('assertion expires too far ahead');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256)
      fail('bad jti');

    await db.deleteFrom('client_assertion_jti').where('expires_at', '<', new Date(now())).execute();
    const recorded = await db
      .insertInto('client_assertion_jti')
      .values({
        client_id: client.id,
        jti: payload.jti as string,
        expires_at: new Date((payload.exp! + 60) * 1000),
      })
      .onConflict((oc) => oc.columns(['client_id', 'jti']).doNothing())
      .returning('jti')
      .executeTakeFirst();
    if (!recorded) fail('assertion jti replayed');
    return client;
  };
}
