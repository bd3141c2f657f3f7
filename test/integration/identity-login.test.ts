import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/index.ts';
import type { IdentityDB } from '../../src/modules/identity/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import {
  bearer,
  createInstitutions,
  createUser,
  login,
  randomIp,
  runId,
  totpCode,
} from './identity-fixtures.ts';

const withoutRequestId = (body: Record<string, unknown>) => {
  const { requestId: _requestId, ...rest } = body;
  return rest;
};

async function median(run: () => Promise<unknown>, times: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

describe.each(backends)('identity: password login and MFA on $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  const north = `north-${runId}`;

  beforeAll(async () => {
    // A small per-IP budget so the limit is exercised; other tests use fresh random addresses.
    t = await openTestRuntime(backend, 'identity_login', { AUTH_LOGIN_MAX_FAILURES_PER_IP: '8' });
    await createInstitutions(t.runtime.records, [{ id: north, name: 'North Clinic' }]);
    app = await buildApp(t.runtime);
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('signs a patient in with exactly the SPEC response and a token that works', async () => {
    const patient = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: 'pat-1',
    });
    const response = await login(app, { username: patient.username, password: patient.password }, randomIp());
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(600);
    expect(body.scope.split(' ')).toEqual(expect.arrayContaining(['patient/*.rs', 'launch/patient']));
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      sub: patient.id,
      roles: ['patient'],
      institution: north,
      patient: 'pat-1',
      pou: [],
    });
    const me = await app.inject({ url: '/api/me', headers: bearer(body.access_token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({
      username: patient.username,
      name: `Test ${patient.username}`,
      roles: ['patient'],
      institution: { id: north, name: 'North Clinic' },
      patientId: 'pat-1',
      delegations: [],
      mfaEnrolled: false,
    });
  });

  it('answers a wrong password and an unknown user identically, after the same argon2 work', async () => {
    const user = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: 'pat-2',
    });
    const wrong = await login(app, { username: user.username, password: 'not the password' }, randomIp());
    const unknown = await login(
      app,
      { username: `nobody-${runId}`, password: 'not the password' },
      randomIp(),
    );
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(withoutRequestId(wrong.json())).toEqual(withoutRequestId(unknown.json()));
    expect(wrong.json().error).toBe('invalid_grant');
    const wrongMs = await median(
      () => login(app, { username: user.username, password: 'nope nope' }, randomIp()),
      3,
    );
    const unknownMs = await median(
      () => login(app, { username: `ghost-${runId}`, password: 'nope nope' }, randomIp()),
      3,
    );
    // Without the dummy hash an unknown user would answer in about a millisecond.
    expect(unknownMs).toBeGreaterThan(wrongMs * 0.5);
    expect(unknownMs).toBeLessThan(wrongMs * 2);
  });

  it('locks a username after repeated failures, known or unknown alike, with 429 and Retry-After', async () => {
    const user = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: 'pat-3',
    });
    const ghost = `ghost-lock-${runId}`;
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await login(app, { username: user.username, password: `wrong ${i}` }, randomIp())).statusCode,
      ).toBe(401);
      expect((await login(app, { username: ghost, password: `wrong ${i}` }, randomIp())).statusCode).toBe(
        401,
      );
    }
    const locked = await login(app, { username: user.username, password: user.password }, randomIp());
    const lockedGhost = await login(app, { username: ghost, password: 'whatever' }, randomIp());
    expect(locked.statusCode).toBe(429);
    expect(lockedGhost.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(withoutRequestId(locked.json())).toEqual(withoutRequestId(lockedGhost.json()));
  });

  it('refuses an IP address after too many failures across usernames', async () => {
    const ip = randomIp();
    for (let i = 0; i < 8; i += 1) {
      expect(
        (await login(app, { username: `spray-${runId}-${i}`, password: 'Summer2026!' }, ip)).statusCode,
      ).toBe(401);
    }
    const user = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: 'pat-4',
    });
    expect((await login(app, { username: user.username, password: user.password }, ip)).statusCode).toBe(429);
    expect(
      (await login(app, { username: user.username, password: user.password }, randomIp())).statusCode,
    ).toBe(200);
  });

  it('requires TOTP for clinicians: missing, wrong and replayed codes give mfa_required', async () => {
    const doctor = await createUser(t.runtime.records, {
      roles: ['physician'],
      institution: north,
      practitionerId: 'pr-1',
    });
    const credentials = { username: doctor.username, password: doctor.password };
    const missing = await login(app, credentials, randomIp());
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error).toBe('mfa_required');
    const wrongCode = totpCode(doctor.totpSecret!) === '000000' ? '111111' : '000000';
    const wrong = await login(app, { ...credentials, otp: wrongCode }, randomIp());
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('mfa_required');
    const code = totpCode(doctor.totpSecret!);
    const ok = await login(app, { ...credentials, otp: code }, randomIp());
    expect(ok.statusCode).toBe(200);
    expect(decodeJwt(ok.json().access_token)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      pou: ['TREAT', 'ETREAT', 'BTG'],
    });
    const replayed = await login(app, { ...credentials, otp: code }, randomIp());
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error).toBe('mfa_required');
    // A wrong password never reaches the MFA step (no hint that the password was right).
    const badPassword = await login(
      app,
      { username: doctor.username, password: 'wrong', otp: totpCode(doctor.totpSecret!, 1) },
      randomIp(),
    );
    expect(badPassword.json().error).toBe('invalid_grant');
  });

  it('lets an unenrolled nurse enroll TOTP with an enrollment-only token; recovery codes work once', async () => {
    const nurse = await createUser(t.runtime.records, {
      roles: ['nurse'],
      institution: north,
      withTotp: false,
    });
    const first = await login(app, { username: nurse.username, password: nurse.password }, randomIp());
    expect(first.statusCode).toBe(401);
    expect(first.json()).toMatchObject({ error: 'mfa_required', reason: 'mfa_enrollment_required' });
    const enrollment = bearer(first.json().mfa_enrollment_token);
    // The enrollment token opens nothing else.
    const elsewhere = await app.inject({ method: 'DELETE', url: '/api/me/sessions', headers: enrollment });
    expect(elsewhere.statusCode).toBe(401);
    expect(elsewhere.json().error).toBe('mfa_required');

    const start = await app.inject({ method: 'POST', url: '/api/me/mfa/totp/start', headers: enrollment });
    expect(start.statusCode).toBe(200);
    const { secret, otpauthUri, qrCode } = start.json();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Carebase:/);
    expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/me/mfa/totp/confirm',
      headers: enrollment,
      payload: { code: '123456' === totpCode(secret) ? '654321' : '123456' },
    });
    expect(wrong.statusCode).toBe(400);
    const confirm = await app.inject({
      method: 'POST',
      url: '/api/me/mfa/totp/confirm',
      headers: enrollment,
      payload: { code: totpCode(secret) },
    });
    expect(confirm.statusCode).toBe(200);
    const recoveryCodes: string[] = confirm.json().recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);

    const row = await (t.runtime.records.db as Kysely<IdentityDB>)
      .selectFrom('user_account')
      .select('totp_secret')
      .where('id', '=', nurse.id)
      .executeTakeFirstOrThrow();
    expect(row.totp_secret).toMatch(/^sealed:/);
    expect(row.totp_secret).not.toContain(secret);

    const withRecovery = await login(
      app,
      { username: nurse.username, password: nurse.password, otp: recoveryCodes[0] },
      randomIp(),
    );
    expect(withRecovery.statusCode).toBe(200);
    expect(decodeJwt(withRecovery.json().access_token).amr).toContain('mfa');
    const again = await login(
      app,
      { username: nurse.username, password: nurse.password, otp: recoveryCodes[0] },
      randomIp(),
    );
    expect(again.json().error).toBe('mfa_required');
    const withTotp = await login(
      app,
      { username: nurse.username, password: nurse.password, otp: totpCode(secret, 1) },
      randomIp(),
    );
    expect(withTotp.statusCode).toBe(200);
  });
});
