import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import {
  bearer,
  createInstitutions,
  createUser,
  login,
  randomIp,
  runId,
  signIn,
  totpCode,
  type FixtureUser,
} from './identity-fixtures.ts';

const withoutRequestId = (body: Record<string, unknown>) => {
  const { requestId: _requestId, ...rest } = body;
  return rest;
};

describe.each(backends)('identity: institution admins on $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  let northAdmin: FixtureUser;
  let southUser: FixtureUser;
  let adminToken: string;
  const north = `north-${runId}`;
  const south = `south-${runId}`;

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'identity_admin');
    await createInstitutions(t.runtime.records, [
      { id: north, name: 'North Clinic' },
      { id: south, name: 'South Hospital' },
    ]);
    app = await buildApp(t.runtime);
    northAdmin = await createUser(t.runtime.records, { roles: ['admin'], institution: north });
    southUser = await createUser(t.runtime.records, { roles: ['nurse'], institution: south });
    adminToken = (await signIn(app, northAdmin)).access_token;
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  const asAdmin = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: bearer(adminToken),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  it('lists and creates users in the admin’s own institution only', async () => {
    const north1 = await createUser(t.runtime.records, { roles: ['physician'], institution: north });
    const list = await asAdmin('GET', '/api/admin/users');
    expect(list.statusCode).toBe(200);
    const usernames = list.json().users.map((u: { username: string }) => u.username);
    expect(usernames).toContain(north1.username);
    expect(usernames).not.toContain(southUser.username);

    const weak = await asAdmin('POST', '/api/admin/users', {
      username: `weak-${runId}`,
      name: 'Weak',
      password: 'short',
      roles: ['nurse'],
    });
    expect(weak.statusCode).toBe(400);
    const created = await asAdmin('POST', '/api/admin/users', {
      username: `new-nurse-${runId}`,
      name: 'New Nurse',
      password: 'a long enough passphrase',
      roles: ['nurse'],
      practitionerId: 'pr-new',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      username: `new-nurse-${runId}`,
      roles: ['nurse'],
      mfaEnrolled: false,
      disabled: false,
    });
    const duplicate = await asAdmin('POST', '/api/admin/users', {
      username: `new-nurse-${runId}`,
      name: 'Again',
      password: 'a long enough passphrase',
      roles: ['nurse'],
    });
    expect(duplicate.statusCode).toBe(409);
    // The new account signs in (password right, no factor yet: enrollment only).
    const first = await login(
      app,
      { username: `new-nurse-${runId}`, password: 'a long enough passphrase' },
      randomIp(),
    );
    expect(first.json()).toMatchObject({ error: 'mfa_required', reason: 'mfa_enrollment_required' });
  });

  it('refuses cross-institution actions exactly like actions on a user that does not exist', async () => {
    for (const [method, suffix, payload] of [
      ['PUT', 'roles', { roles: ['physician'] }],
      ['POST', 'disable', undefined],
      ['POST', 'mfa-reset', undefined],
    ] as const) {
      const cross = await asAdmin(method, `/api/admin/users/${southUser.id}/${suffix}`, payload);
      const missing = await asAdmin(method, `/api/admin/users/no-such-user/${suffix}`, payload);
      expect(cross.statusCode).toBe(404);
      expect(withoutRequestId(cross.json())).toEqual(withoutRequestId(missing.json()));
    }
    // The south user is untouched.
    const southTokens = await signIn(app, southUser);
    expect(
      (await app.inject({ url: '/api/me', headers: bearer(southTokens.access_token) })).json().roles,
    ).toEqual(['nurse']);
  });

  it('applies role changes and disabling on the user’s next request', async () => {
    const nurse = await createUser(t.runtime.records, { roles: ['nurse'], institution: north });
    const tokens = await signIn(app, nurse);
    const changed = await asAdmin('PUT', `/api/admin/users/${nurse.id}/roles`, { roles: ['physician'] });
    expect(changed.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/me', headers: bearer(tokens.access_token) })).statusCode).toBe(401);
    const again = await login(
      app,
      { username: nurse.username, password: nurse.password, otp: totpCode(nurse.totpSecret!, 1) },
      randomIp(),
    );
    expect(again.statusCode).toBe(200);
    expect(
      (await app.inject({ url: '/api/me', headers: bearer(again.json().access_token) })).json().roles,
    ).toEqual(['physician']);

    expect((await asAdmin('POST', `/api/admin/users/${nurse.id}/disable`)).json()).toMatchObject({
      disabled: true,
    });
    expect(
      (await app.inject({ url: '/api/me', headers: bearer(again.json().access_token) })).statusCode,
    ).toBe(401);
    const refused = await login(
      app,
      { username: nurse.username, password: nurse.password, otp: totpCode(nurse.totpSecret!, -1) },
      randomIp(),
    );
    expect(refused.json().error).toBe('invalid_grant');
    expect((await asAdmin('POST', `/api/admin/users/${northAdmin.id}/disable`)).statusCode).toBe(409);
  });

  it('resets a user’s MFA so the next sign-in must enroll again', async () => {
    const pharmacist = await createUser(t.runtime.records, { roles: ['pharmacist'], institution: north });
    const tokens = await signIn(app, pharmacist);
    expect((await asAdmin('POST', `/api/admin/users/${pharmacist.id}/mfa-reset`)).json()).toMatchObject({
      mfaEnrolled: false,
    });
    expect((await app.inject({ url: '/api/me', headers: bearer(tokens.access_token) })).statusCode).toBe(401);
    const next = await login(
      app,
      {
        username: pharmacist.username,
        password: pharmacist.password,
        otp: totpCode(pharmacist.totpSecret!, 1),
      },
      randomIp(),
    );
    expect(next.json()).toMatchObject({ error: 'mfa_required', reason: 'mfa_enrollment_required' });
  });

  it('keeps non-admins out of the admin API', async () => {
    const doctor = await createUser(t.runtime.records, { roles: ['physician'], institution: north });
    const response = await app.inject({
      url: '/api/admin/users',
      headers: bearer((await signIn(app, doctor)).access_token),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: 'forbidden', reason: 'role_not_permitted' });
    expect((await app.inject({ url: '/api/admin/users' })).statusCode).toBe(401);
  });

  it('registers OAuth clients for the institution and refuses another institution’s', async () => {
    const app1 = await asAdmin('POST', '/api/admin/oauth-clients', {
      kind: 'public',
      name: 'Patient portal app',
      redirectUris: ['https://app.example/callback'],
      scopes: ['openid', 'fhirUser', 'launch/patient', 'patient/*.rs'],
    });
    expect(app1.statusCode).toBe(201);
    const { publicKey } = await generateKeyPair('ES384', { extractable: true });
    const backendClient = await asAdmin('POST', '/api/admin/oauth-clients', {
      kind: 'backend',
      name: 'Lab interface',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' }] },
      scopes: ['system/Observation.crs'],
    });
    expect(backendClient.statusCode).toBe(201);
    expect(backendClient.json()).toMatchObject({ kind: 'backend', institutionId: north, hasJwks: true });
    const badScope = await asAdmin('POST', '/api/admin/oauth-clients', {
      kind: 'backend',
      name: 'x',
      jwksUri: 'https://x.example/jwks',
      scopes: ['user/*.rs'],
    });
    expect(badScope.statusCode).toBe(400);
    const list = (await asAdmin('GET', '/api/admin/oauth-clients'))
      .json()
      .clients.map((c: { id: string }) => c.id);
    expect(list).toEqual(expect.arrayContaining([app1.json().id, backendClient.json().id]));

    const southAdmin = await createUser(t.runtime.records, { roles: ['admin'], institution: south });
    const southToken = (await signIn(app, southAdmin)).access_token;
    const cross = await app.inject({
      method: 'POST',
      url: `/api/admin/oauth-clients/${app1.json().id}/disable`,
      headers: bearer(southToken),
    });
    expect(cross.statusCode).toBe(404);
    expect(
      (await asAdmin('POST', `/api/admin/oauth-clients/${app1.json().id}/disable`)).json(),
    ).toMatchObject({ disabled: true });
  });
});
