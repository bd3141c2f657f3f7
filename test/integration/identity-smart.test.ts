import { randomBytes, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import smart from 'fhirclient';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/index.ts';
import {
  registerDemoOAuthClients,
  type DemoOAuthClients,
  type IdentityDB,
} from '../../src/modules/identity/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import {
  addDelegation,
  createInstitutions,
  createUser,
  runId,
  type FixtureUser,
} from './identity-fixtures.ts';

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
const formPost = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });

/**
 * A SMART app written with the `fhirclient` library (Node adapter): `/launch` starts a standalone launch
 * against our FHIR base, `/callback` completes it (code exchange with PKCE) and reports what it got.
 */
function smartApp(fhirBase: string, clientId: string, scope: string) {
  const stored = new Map<string, unknown>();
  const storage = {
    get: async (key: string) => stored.get(key),
    set: async (key: string, value: unknown) => (stored.set(key, value), value),
    unset: async (key: string) => stored.delete(key),
  };
  let base = '';
  const server = http.createServer(async (req, res) => {
    try {
      const path = new URL(req.url!, base).pathname;
      if (path === '/launch') {
        await smart(req, res, storage).authorize({
          iss: fhirBase,
          clientId,
          scope,
          redirectUri: `${base}/callback`,
          pkceMode: 'required',
        });
      } else if (path === '/callback') {
        const client = await smart(req, res, storage).ready();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            tokenResponse: client.state.tokenResponse,
            patientId: client.patient.id,
            fhirUser: client.getFhirUser(),
            codeVerifier: client.state.codeVerifier,
          }),
        );
      } else {
        res.writeHead(404).end();
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
  return { server, start: async () => (base = await listen(server)), url: () => base };
}

describe.each(backends)('identity: SMART standalone launch and backend services on $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  let serverUrl: string;
  let fhirBase: string;
  let demo: DemoOAuthClients;
  let patient: FixtureUser;
  let fhirApp: ReturnType<typeof smartApp>;
  const north = `north-${runId}`;

  beforeAll(async () => {
    const port = await freePort();
    t = await openTestRuntime(backend, 'identity_smart', { PORT: String(port) });
    serverUrl = t.config.http.publicUrl;
    fhirBase = `${serverUrl}/fhir/R4`;
    await createInstitutions(t.runtime.records, [{ id: north, name: 'North Clinic' }]);
    app = await buildApp(t.runtime);
    await app.listen({ host: '127.0.0.1', port });
    fhirApp = smartApp(
      fhirBase,
      'demo-smart-app',
      'launch/patient openid fhirUser offline_access patient/*.rs user/*.cruds',
    );
    await fhirApp.start();
    demo = await registerDemoOAuthClients(t.runtime.records, {
      publicUrl: serverUrl,
      redirectUris: [`${fhirApp.url()}/callback`],
      backendInstitutionId: north,
    });
    patient = await createUser(t.runtime.records, {
      roles: ['patient', 'delegate'],
      institution: north,
      patientId: 'pat-smart',
    });
    await addDelegation(t.runtime.records, patient.id, 'pat-child', 'guardian');
  });
  afterAll(async () => {
    fhirApp?.server.close();
    await app?.close();
    await t?.cleanup();
  });

  /** The user's browser: follows the app to our pages, signs in, picks the patient, approves. */
  async function browseThroughLaunch(decision: 'approve' | 'deny', patientId = 'pat-child') {
    const launch = await fetch(`${fhirApp.url()}/launch`, { redirect: 'manual' });
    expect(launch.status).toBe(302);
    const authorizeUrl = new URL(launch.headers.get('location')!);
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${serverUrl}/auth/authorize`);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const signInHtml = await (await fetch(authorizeUrl)).text();
    expect(signInHtml).toContain('Carebase demo SMART app');
    const consent = await formPost(`${serverUrl}/auth/authorize/login`, {
      interaction: hidden(signInHtml, 'interaction')!,
      username: patient.username,
      password: patient.password,
    });
    expect(consent.status).toBe(200);
    const consentHtml = await consent.text();
    expect(consentHtml).toContain('Read, search all record types for the selected patient');
    expect(consentHtml).not.toContain('user/');
    const back = await formPost(`${serverUrl}/auth/authorize/consent`, {
      interaction: hidden(consentHtml, 'interaction')!,
      patient: patientId,
      decision,
    });
    expect(back.status).toBe(303);
    const callback = new URL(back.headers.get('location')!);
    expect(callback.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    return { callback, authorizeUrl };
  }

  it('completes a standalone launch with PKCE using the fhirclient library', async () => {
    const { callback } = await browseThroughLaunch('approve');
    const done = await fetch(callback);
    expect(done.status).toBe(200);
    const result = await done.json();
    const tokens = result.tokenResponse;
    expect(result.patientId).toBe('pat-child');
    expect(tokens).toMatchObject({ token_type: 'Bearer', patient: 'pat-child', need_patient_banner: true });
    expect(tokens.scope.split(' ').sort()).toEqual([
      'fhirUser',
      'launch/patient',
      'offline_access',
      'openid',
      'patient/*.rs',
    ]);
    expect(tokens.refresh_token).toBeTruthy();
    expect(decodeJwt(tokens.id_token)).toMatchObject({
      aud: 'demo-smart-app',
      iss: serverUrl,
      fhirUser: `${fhirBase}/Patient/pat-smart`,
    });
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      client_id: 'demo-smart-app',
      patient: 'pat-child',
      delegations: ['pat-child'],
    });
    const me = await fetch(`${serverUrl}/api/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);

    // The code is single use: presenting it again fails and revokes what it issued.
    const replay = await formPost(`${serverUrl}/auth/token`, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: `${fhirApp.url()}/callback`,
      client_id: 'demo-smart-app',
      code_verifier: result.codeVerifier,
    });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    expect(
      (await fetch(`${serverUrl}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }))
        .status,
    ).toBe(401);
  });

  it('redirects a denial back with access_denied and the app’s state', async () => {
    const { callback } = await browseThroughLaunch('deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  /** A hand-driven authorization request, for the cases a compliant library never sends. */
  async function authorize(params: Record<string, string | undefined>) {
    const url = new URL(`${serverUrl}/auth/authorize`);
    const defaults = {
      response_type: 'code',
      client_id: 'demo-smart-app',
      redirect_uri: `${fhirApp.url()}/callback`,
      scope: 'openid patient/*.rs',
      state: 'st-1',
      aud: fhirBase,
    };
    for (const [k, v] of Object.entries({ ...defaults, ...params }))
      if (v !== undefined) url.searchParams.set(k, v);
    return fetch(url, { redirect: 'manual' });
  }

  it('refuses unregistered redirect URIs without redirecting, and requires PKCE S256 and our audience', async () => {
    const challenge = createHash('sha256').update('v'.repeat(50)).digest('base64url');
    const evil = await authorize({
      redirect_uri: 'https://evil.example/cb',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(evil.status).toBe(400);
    expect(evil.headers.get('location')).toBeNull();
    const prefix = await authorize({
      redirect_uri: `${fhirApp.url()}/callback/extra`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(prefix.status).toBe(400);
    for (const params of [
      {},
      { code_challenge: 'v'.repeat(50), code_challenge_method: 'plain' },
      { code_challenge: challenge, code_challenge_method: 'S256', aud: 'https://other.example/fhir' },
    ]) {
      const response = await authorize(params);
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('st-1');
    }
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const verifier = randomBytes(40).toString('base64url');
    const page = await authorize({
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const consentHtml = await (
      await formPost(`${serverUrl}/auth/authorize/login`, {
        interaction: hidden(await page.text(), 'interaction')!,
        username: patient.username,
        password: patient.password,
      })
    ).text();
    const back = await formPost(`${serverUrl}/auth/authorize/consent`, {
      interaction: hidden(consentHtml, 'interaction')!,
      patient: 'pat-smart',
      decision: 'approve',
    });
    const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
    const exchange = (codeVerifier: string) =>
      formPost(`${serverUrl}/auth/token`, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: `${fhirApp.url()}/callback`,
        client_id: 'demo-smart-app',
        code_verifier: codeVerifier,
      });
    const wrong = await exchange(randomBytes(40).toString('base64url'));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    // The code was spent by the failed attempt: single use even then.
    expect((await exchange(verifier)).status).toBe(400);
  });

  describe('backend services (client credentials with a signed assertion)', () => {
    /** SMART Backend Services assertion; `claims` override the standard ones. */
    const assertion = async (
      key: JWK | CryptoKey,
      claims: Record<string, unknown> = {},
      alg = 'ES384',
      clientId = 'demo-backend-service',
    ) =>
      new SignJWT({
        iss: clientId,
        sub: clientId,
        aud: `${serverUrl}/auth/token`,
        exp: Math.floor(Date.now() / 1000) + 120,
        jti: randomBytes(12).toString('base64url'),
        ...claims,
      })
        .setProtectedHeader({ alg, typ: 'JWT', kid: 'kid' in key ? String(key.kid) : 'k' })
        .sign('kty' in key ? await importJWK(key, alg) : key);
    const requestToken = (signed: string, scope = 'system/*.rs') =>
      formPost(`${serverUrl}/auth/token`, {
        grant_type: 'client_credentials',
        scope,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: signed,
      });

    it('issues a system token for an ES384-signed assertion, once per jti', async () => {
      const signed = await assertion(demo.backend.privateJwk);
      const response = await requestToken(signed);
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ token_type: 'Bearer', scope: 'system/*.rs' });
      expect(body.refresh_token).toBeUndefined();
      expect(decodeJwt(body.access_token)).toMatchObject({
        sub: 'client:demo-backend-service',
        client_id: 'demo-backend-service',
        institution: north,
      });
      // Accepted at the edge (the route then finds no user profile for a service).
      expect(
        (await fetch(`${serverUrl}/api/me`, { headers: { authorization: `Bearer ${body.access_token}` } }))
          .status,
      ).toBe(404);
      const replayed = await requestToken(signed);
      expect(replayed.status).toBe(401);
      expect(await replayed.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('refuses a wrong audience, a foreign key, a far expiry and non-system scopes', async () => {
      const foreign = await generateKeyPair('ES384');
      const cases = [
        await assertion(demo.backend.privateJwk, { aud: `${serverUrl}/auth/authorize` }),
        await assertion(foreign.privateKey),
        await assertion(demo.backend.privateJwk, { exp: Math.floor(Date.now() / 1000) + 3600 }),
      ];
      for (const signed of cases) expect((await requestToken(signed)).status).toBe(401);
      const userScope = await requestToken(await assertion(demo.backend.privateJwk), 'user/*.rs');
      expect(userScope.status).toBe(400);
      expect(await userScope.json()).toMatchObject({ error: 'invalid_scope' });
    });

    it('verifies an RS384 assertion against a JWKS URL', async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS384', { extractable: true });
      const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'rs-1', alg: 'RS384' }] };
      const keyServer = http.createServer((_req, res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)),
      );
      const keyUrl = await listen(keyServer);
      try {
        await (t.runtime.records.db as Kysely<IdentityDB>)
          .insertInto('oauth_client')
          .values({
            id: `rs-client-${runId}`,
            name: 'RS client',
            kind: 'backend',
            jwks_uri: `${keyUrl}/jwks.json`,
            jwks: null,
            institution_id: null,
            redirect_uris: [],
            scopes: ['system/Observation.rs'],
            roles: [],
          })
          .execute();
        const signed = await new SignJWT({ jti: randomBytes(8).toString('hex') })
          .setProtectedHeader({ alg: 'RS384', kid: 'rs-1' })
          .setIssuer(`rs-client-${runId}`)
          .setSubject(`rs-client-${runId}`)
          .setAudience(`${serverUrl}/auth/token`)
          .setExpirationTime('2m')
          .sign(privateKey);
        const response = await requestToken(signed, 'system/Observation.rs system/Patient.rs');
        expect(response.status).toBe(200);
        expect((await response.json()).scope).toBe('system/Observation.rs');
      } finally {
        keyServer.close();
      }
    });
  });
});
