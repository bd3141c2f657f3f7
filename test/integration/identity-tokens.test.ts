import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import {
  SignJWT,
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createIdentityService,
  identityRoutes,
  type IdentityService,
  type SecurityEvent,
} from '../../src/modules/identity/index.ts';
import { createHttpServer } from '../../src/platform/http/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import {
  bearer,
  createInstitutions,
  createUser,
  runId,
  signIn,
  type FixtureUser,
} from './identity-fixtures.ts';

/** An app with the identity enforcer and FHIR-shaped probe routes declaring scopes, roles and MFA. */
async function probeApp(t: TestRuntime, identity: IdentityService): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: t.runtime.logger,
    bodyLimitBytes: 65_536,
    trustProxy: false,
    enforceAccess: identity.enforceAccess,
  });
  await app.register(identityRoutes(identity));
  const echo = async (request: { ctx: unknown }) => ({ ctx: request.ctx });
  app.get(
    '/fhir/R4/:type/:id',
    {
      config: {
        access: { kind: 'authenticated', scopes: ['patient/{type}.r', 'user/{type}.r', 'system/{type}.r'] },
      },
    },
    echo,
  );
  app.get(
    '/fhir/R4/:type',
    {
      config: {
        access: { kind: 'authenticated', scopes: ['patient/{type}.s', 'user/{type}.s', 'system/{type}.s'] },
      },
    },
    echo,
  );
  app.post(
    '/fhir/R4/:type',
    {
      config: {
        access: { kind: 'authenticated', scopes: ['patient/{type}.c', 'user/{type}.c', 'system/{type}.c'] },
      },
    },
    echo,
  );
  app.get(
    '/probe/privacy',
    { config: { access: { kind: 'authenticated', roles: ['privacy-officer'] } } },
    echo,
  );
  app.get('/probe/mfa', { config: { access: { kind: 'authenticated', mfa: true } } }, echo);
  await app.ready();
  return app;
}

describe.each(backends)('identity: access tokens and the edge enforcer on $name', (backend) => {
  let t: TestRuntime;
  let identity: IdentityService;
  let app: FastifyInstance;
  let patient: FixtureUser;
  let doctor: FixtureUser;
  let patientToken: string;
  let doctorToken: string;
  const north = `north-${runId}`;
  const events: SecurityEvent[] = [];
  /** FHIR errors are OperationOutcomes; the denial reason is read from the security event hook. */
  const lastDenial = () => events.filter((e) => e.type === 'access.denied').at(-1)?.reason;

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'identity_tokens');
    await createInstitutions(t.runtime.records, [{ id: north, name: 'North Clinic' }]);
    identity = await createIdentityService({
      config: t.config,
      database: t.runtime.records,
      cache: t.runtime.cache,
      logger: t.runtime.logger,
      onSecurityEvent: async (event) => {
        events.push(event);
      },
    });
    app = await probeApp(t, identity);
    patient = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: 'pat-own',
    });
    doctor = await createUser(t.runtime.records, {
      roles: ['physician'],
      institution: north,
      practitionerId: 'pr-7',
    });
    patientToken = (await signIn(app, patient)).access_token;
    doctorToken = (await signIn(app, doctor)).access_token;
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers });

  it('builds the request context from a valid token', async () => {
    const response = await get('/fhir/R4/Observation/o1', {
      ...bearer(doctorToken),
      'user-agent': 'probe/1.0',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().ctx).toMatchObject({
      kind: 'user',
      subject: doctor.id,
      roles: ['physician'],
      institution: north,
      practitionerId: 'pr-7',
      purpose: 'TREAT',
      clientId: 'carebase',
      userAgent: 'probe/1.0',
      ip: '127.0.0.1',
      requestId: response.headers['x-request-id'],
    });
    expect(response.json().ctx.scopes).toContain('user/*.cruds');
    expect(response.json().ctx.mfaAt).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('refuses alg none, a foreign key, HS256 keyed with the public key, and tampered claims', async () => {
    const header = decodeProtectedHeader(doctorToken);
    const claims = decodeJwt(doctorToken);
    const part = (value: object) => base64url.encode(JSON.stringify(value));
    const unsigned = `${part({ alg: 'none', typ: 'at+jwt', kid: header.kid })}.${part(claims)}.`;
    const foreign = await generateKeyPair('ES256');
    const foreignSigned = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid! })
      .sign(foreign.privateKey);
    const jwks = (await app.inject({ url: '/auth/jwks' })).json();
    const publicPem = await exportSPKI(
      (await importJWK(jwks.keys[0], 'ES256', { extractable: true })) as CryptoKey,
    );
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid! })
      .sign(new TextEncoder().encode(publicPem));
    const [h, , s] = doctorToken.split('.');
    const tampered = `${h}.${part({ ...claims, roles: ['admin', 'physician'] })}.${s}`;
    for (const token of [unsigned, foreignSigned, confused, tampered]) {
      const response = await get('/fhir/R4/Observation/o1', bearer(token));
      expect(response.statusCode).toBe(401);
      expect(response.json().issue[0].code).toBe('login');
      expect(lastDenial()).toMatch(/^invalid_token:/);
    }
    expect((await get('/fhir/R4/Observation/o1')).statusCode).toBe(401);
  });

  it('refuses expired tokens, other issuers, other audiences and ID tokens', async () => {
    const { kid, privateKey } = await identity.keys.current();
    const claims = decodeJwt(doctorToken);
    const sign = (payload: Record<string, unknown>, typ = 'at+jwt') =>
      new SignJWT({ ...claims, ...payload }).setProtectedHeader({ alg: 'ES256', typ, kid }).sign(privateKey);
    const now = Math.floor(Date.now() / 1000);
    const good = await sign({});
    expect((await get('/fhir/R4/Observation/o1', bearer(good))).statusCode).toBe(200);
    const cases = [
      await sign({ exp: now - 60, iat: now - 700 }),
      await sign({ iss: 'https://evil.example' }),
      await sign({ aud: `${t.config.http.publicUrl}/other-api` }),
      await sign({ aud: 'some-client-id' }, 'JWT'),
    ];
    for (const token of cases)
      expect((await get('/fhir/R4/Observation/o1', bearer(token))).statusCode).toBe(401);
  });

  it('stops a patient/*.rs token from writing and a patient token from reading another patient', async () => {
    const write = await app.inject({
      method: 'POST',
      url: '/fhir/R4/Observation',
      headers: bearer(patientToken),
      payload: {},
    });
    expect(write.statusCode).toBe(403);
    expect(lastDenial()).toBe('scope_insufficient');
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/fhir/R4/Observation',
          headers: bearer(doctorToken),
          payload: {},
        })
      ).statusCode,
    ).toBe(200);
    // Consent is the one resource a patient writes.
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/fhir/R4/Consent',
          headers: bearer(patientToken),
          payload: {},
        })
      ).statusCode,
    ).toBe(200);

    expect((await get('/fhir/R4/Patient/pat-own', bearer(patientToken))).statusCode).toBe(200);
    const other = await get('/fhir/R4/Patient/pat-someone-else', bearer(patientToken));
    expect(other.statusCode).toBe(403);
    expect(lastDenial()).toBe('patient_not_in_context');
    expect(
      (await get('/fhir/R4/Observation?patient=Patient/pat-someone-else', bearer(patientToken))).statusCode,
    ).toBe(403);
    expect((await get('/fhir/R4/Observation?subject=pat-own', bearer(patientToken))).statusCode).toBe(200);
    // A clinician's user/ token has no compartment at the edge (the policy engine decides).
    expect((await get('/fhir/R4/Patient/pat-someone-else', bearer(doctorToken))).statusCode).toBe(200);
  });

  it('enforces an app token narrowed to patient/*.rs exactly as granted', async () => {
    const user = await identity.accounts.findById(patient.id);
    const session = await identity.sessions.create({
      kind: 'authorization_code',
      userId: patient.id,
      clientId: 'some-app',
      scope: 'patient/*.rs',
      patientId: 'pat-own',
      authTime: new Date(),
      mfaAt: undefined,
      amr: ['pwd'],
      ip: undefined,
      userAgent: undefined,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const { access_token } = await identity.issuer.forUser(session, user!);
    expect((await get('/fhir/R4/Observation/o1', bearer(access_token))).statusCode).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/fhir/R4/Consent',
          headers: bearer(access_token),
          payload: {},
        })
      ).statusCode,
    ).toBe(403);
  });

  it('checks the purpose of use against the token, with a default per role', async () => {
    const as = (token: string, purpose?: string) =>
      get('/fhir/R4/Observation/o1', {
        ...bearer(token),
        ...(purpose ? { 'x-purpose-of-use': purpose } : {}),
      });
    expect((await as(doctorToken, 'ETREAT')).json().ctx.purpose).toBe('ETREAT');
    const payment = await as(doctorToken, 'HPAYMT');
    expect(payment.statusCode).toBe(403);
    expect(payment.json().issue[0].code).toBe('forbidden');
    expect(lastDenial()).toBe('purpose_not_permitted');
    expect((await as(patientToken, 'TREAT')).statusCode).toBe(403);
    expect((await as(patientToken)).json().ctx.purpose).toBeUndefined();
    expect((await as(doctorToken, 'NOT-A-PURPOSE')).statusCode).toBe(400);
    const billing = await createUser(t.runtime.records, {
      roles: ['billing'],
      institution: north,
      withTotp: false,
    });
    const billingToken = (await signIn(app, billing)).access_token;
    expect((await as(billingToken)).json().ctx.purpose).toBe('HPAYMT');
    expect((await as(billingToken, 'TREAT')).statusCode).toBe(403);
  });

  it('checks route roles and MFA freshness', async () => {
    const wrongRole = await get('/probe/privacy', bearer(doctorToken));
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().reason).toBe('role_not_permitted');
    expect((await get('/probe/mfa', bearer(doctorToken))).statusCode).toBe(200);
    const noMfa = await get('/probe/mfa', bearer(patientToken));
    expect(noMfa.statusCode).toBe(401);
    expect(noMfa.json().error).toBe('mfa_required');
  });

  it('rate-limits each subject', async () => {
    const limited = await createIdentityService({
      config: { ...t.config, auth: { ...t.config.auth, requestsPerMinute: 3 } },
      database: t.runtime.records,
      cache: t.runtime.cache,
      logger: t.runtime.logger,
    });
    const limitedApp = await probeApp(t, limited);
    try {
      const user = await createUser(t.runtime.records, {
        roles: ['patient'],
        institution: north,
        patientId: 'pat-rl',
      });
      const token = (await signIn(limitedApp, user)).access_token;
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1)
        statuses.push(
          (await limitedApp.inject({ url: '/fhir/R4/Observation/x', headers: bearer(token) })).statusCode,
        );
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses.slice(3)).toEqual([429, 429]);
    } finally {
      await limitedApp.close();
    }
  });

  it('rotates signing keys: JWKS publishes both, old tokens stay valid, other instances learn the new kid', async () => {
    const oldKid = decodeProtectedHeader(doctorToken).kid;
    const newKid = await identity.keys.rotate();
    expect(newKid).not.toBe(oldKid);
    const jwks = (await app.inject({ url: '/auth/jwks' })).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
    const fresh = await signIn(app, patient);
    expect(decodeProtectedHeader(fresh.access_token).kid).toBe(newKid);
    expect((await get('/fhir/R4/Observation/o1', bearer(doctorToken))).statusCode).toBe(200);

    const otherInstance = await createIdentityService({
      config: t.config,
      database: t.runtime.records,
      cache: t.runtime.cache,
      logger: t.runtime.logger,
    });
    const otherApp = await probeApp(t, otherInstance);
    try {
      await sleep(1_100);
      const newer = await identity.keys.rotate();
      const token = (await signIn(app, patient)).access_token;
      expect(decodeProtectedHeader(token).kid).toBe(newer);
      expect(
        (await otherApp.inject({ url: '/fhir/R4/Observation/o1', headers: bearer(token) })).statusCode,
      ).toBe(200);
    } finally {
      await otherApp.close();
    }
  });

  it('publishes SMART and OpenID discovery documents', async () => {
    const smart = (await get('/fhir/R4/.well-known/smart-configuration')).json();
    const base = t.config.http.publicUrl;
    expect(smart).toMatchObject({
      issuer: base,
      jwks_uri: `${base}/auth/jwks`,
      authorization_endpoint: `${base}/auth/authorize`,
      token_endpoint: `${base}/auth/token`,
      code_challenge_methods_supported: ['S256'],
    });
    expect(smart.capabilities).toEqual(
      expect.arrayContaining(['launch-standalone', 'client-confidential-asymmetric', 'permission-v2']),
    );
    expect((await get('/.well-known/smart-configuration')).json()).toEqual(smart);
    const oidc = (await get('/.well-known/openid-configuration')).json();
    expect(oidc).toMatchObject({ issuer: base, id_token_signing_alg_values_supported: ['ES256'] });
  });
});
