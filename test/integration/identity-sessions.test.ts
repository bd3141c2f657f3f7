import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, openRuntime } from '../../src/app/index.ts';
import type { IdentityDB } from '../../src/modules/identity/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import {
  addDelegation,
  bearer,
  createInstitutions,
  createUser,
  form,
  login,
  randomIp,
  runId,
  signIn,
} from './identity-fixtures.ts';

describe.each(backends)('identity: sessions, refresh and revocation on $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  const north = `north-${runId}`;

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'identity_sessions');
    await createInstitutions(t.runtime.records, [{ id: north, name: 'North Clinic' }]);
    app = await buildApp(t.runtime);
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('rotates refresh tokens; a reused one revokes the whole family and its access tokens', async () => {
    const user = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: 'pat-5',
    });
    const tokens = await signIn(app, user);
    const refresh = (token: string) =>
      app.inject({
        method: 'POST',
        url: '/auth/token',
        ...form({ grant_type: 'refresh_token', refresh_token: token }),
      });
    const rotated = await refresh(tokens.refresh_token);
    expect(rotated.statusCode).toBe(200);
    const next = rotated.json();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect((await app.inject({ url: '/api/me', headers: bearer(next.access_token) })).statusCode).toBe(200);

    const reuse = await refresh(tokens.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh(next.refresh_token)).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/me', headers: bearer(next.access_token) })).statusCode).toBe(401);
  });

  it('revokes a session on the next request, also in another app instance with its own connections', async () => {
    // In production a second process opens its own runtime (pools, Redis, NATS); embedded mode is one process.
    const secondProcess =
      backend.kind === 'production'
        ? await openRuntime(t.config, t.runtime.logger, { migrate: false })
        : undefined;
    const other = await buildApp(secondProcess ?? t.runtime);
    try {
      const user = await createUser(t.runtime.records, {
        roles: ['patient'],
        institution: north,
        patientId: 'pat-6',
      });
      const tokens = await signIn(app, user);
      expect((await other.inject({ url: '/api/me', headers: bearer(tokens.access_token) })).statusCode).toBe(
        200,
      );
      const revoke = await app.inject({
        method: 'POST',
        url: '/auth/revoke',
        ...form({ token: tokens.refresh_token }),
      });
      expect(revoke.statusCode).toBe(200);
      expect((await other.inject({ url: '/api/me', headers: bearer(tokens.access_token) })).statusCode).toBe(
        401,
      );
      expect((await app.inject({ url: '/api/me', headers: bearer(tokens.access_token) })).statusCode).toBe(
        401,
      );
      // Unknown tokens are not an error (RFC 7009).
      expect(
        (await app.inject({ method: 'POST', url: '/auth/revoke', ...form({ token: 'no-such-token' }) }))
          .statusCode,
      ).toBe(200);
    } finally {
      await other.close();
      await secondProcess?.close();
    }
  });

  it('signs out everywhere: every session of the subject stops working', async () => {
    const user = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: 'pat-7',
    });
    const [a, b, c] = [await signIn(app, user), await signIn(app, user), await signIn(app, user)];
    const all = await app.inject({
      method: 'POST',
      url: '/auth/revoke',
      ...form({ token: a.access_token, revoke_all_sessions: 'true' }),
    });
    expect(all.statusCode).toBe(200);
    for (const tokens of [a, b])
      expect((await app.inject({ url: '/api/me', headers: bearer(tokens.access_token) })).statusCode).toBe(
        401,
      );
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/auth/token',
          ...form({ grant_type: 'refresh_token', refresh_token: c.refresh_token }),
        })
      ).statusCode,
    ).toBe(400);
    const d = await signIn(app, user);
    const viaApi = await app.inject({
      method: 'DELETE',
      url: '/api/me/sessions',
      headers: bearer(d.access_token),
    });
    expect(viaApi.json()).toEqual({ revoked: 1 });
    expect((await app.inject({ url: '/api/me', headers: bearer(d.access_token) })).statusCode).toBe(401);
  });

  it('describes a delegate in /api/me and refuses a disabled account like a wrong password', async () => {
    const parent = await createUser(t.runtime.records, {
      roles: ['delegate'],
      institution: north,
      label: 'parent',
    });
    await addDelegation(t.runtime.records, parent.id, 'child-1', 'parent');
    const tokens = await signIn(app, parent);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ delegations: ['child-1'] });
    const me = await app.inject({ url: '/api/me', headers: bearer(tokens.access_token) });
    expect(me.json()).toMatchObject({
      roles: ['delegate'],
      delegations: [{ patientId: 'child-1', relationship: 'parent' }],
      mfaEnrolled: false,
    });

    await (t.runtime.records.db as Kysely<IdentityDB>)
      .updateTable('user_account')
      .set({ disabled_at: new Date() })
      .where('id', '=', parent.id)
      .execute();
    const refused = await login(app, { username: parent.username, password: parent.password }, randomIp());
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('invalid_grant');
  });
});
