import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsOf, openAuthzFixture, type AuthzFixture } from '../support/authz-fixture.ts';
import { as, authzApp } from '../support/authz-http.ts';
import { backends } from '../support/runtime.ts';

const justification = 'Unconscious patient in the ED, no records reachable';

describe.each(backends)('break-glass on $name', (backend) => {
  let f: AuthzFixture;
  let app: FastifyInstance;
  beforeAll(async () => {
    f = await openAuthzFixture(backend, 'authz_btg');
    app = await authzApp(f);
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await f?.close();
  });

  const open = (user: string, body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/break-glass', headers: as(user), payload: body });

  it.each([
    ['billing@northwind', {}, 403, 'role_not_permitted'],
    ['researcher@northwind', {}, 403, 'role_not_permitted'],
    ['alice.moreau', {}, 403, 'role_not_permitted'],
    ['admin@northwind', {}, 403, 'role_not_permitted'],
    ['physician@southbay', { justification: undefined }, 400, 'break_glass_justification'],
    ['physician@southbay', { justification: 'too short' }, 400, 'break_glass_justification'],
    ['physician@southbay', { justification: '19 chars exactly!!' }, 400, 'break_glass_justification'],
    [
      'physician@southbay',
      { justification: `   ${'x'.repeat(3)}            ` },
      400,
      'break_glass_justification',
    ],
    ['physician@southbay', { justification: '12345678901234567890123' }, 400, 'break_glass_justification'],
    ['physician@southbay', { patient: ['a', 'b'] }, 400, 'break_glass_patient'],
    ['physician@southbay', { patient: 'a,b' }, 400, 'break_glass_patient'],
    ['physician@southbay', { patient: undefined }, 400, 'break_glass_patient'],
    ['physician@southbay', { reason: undefined }, 400, 'break_glass_reason'],
    ['physician@southbay', { minutes: 0 }, 400, 'break_glass_window'],
    ['physician@southbay', { minutes: 100_000 }, 400, 'break_glass_window'],
    ['physician@southbay', { minutes: 1.5 }, 400, 'break_glass_window'],
    ['physician@southbay', { minutes: null }, 400, 'break_glass_window'],
  ])('refuses misuse: %s %j → %i %s', async (user, override, status, reason) => {
    const res = await open(user, {
      patient: f.patientId('alice'),
      justification,
      reason: 'emergency',
      ...override,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json().reason).toBe(reason);
  });

  it('answers an unknown patient exactly like an invisible one (404, no oracle)', async () => {
    const res = await open('physician@southbay', {
      patient: 'no-such-patient',
      justification,
      reason: 'emergency',
    });
    expect(res.statusCode).toBe(404);
  });

  it('grants one clinician one patient for a bounded window, flags decisions, notifies, and is reviewed', async () => {
    const alice = f.patientId('alice');
    const notes = factsOf(f.row('alice', 'notes'));
    // Without a grant, BTG gives nothing extra.
    expect(await f.decide(f.ctxFor('physician@southbay', 'BTG'), 'read', notes)).toMatchObject({
      allow: false,
      reason: 'purpose_not_permitted',
    });

    const created = await open('physician@southbay', { patient: alice, justification, reason: 'emergency' });
    expect(created.statusCode).toBe(201);
    const grant = created.json();
    const minutes = (Date.parse(grant.expiresAt) - Date.parse(grant.createdAt)) / 60_000;
    expect(minutes).toBe(60);
    // Opening again while active returns the same grant: one window per clinician and patient.
    expect(
      (await open('physician@southbay', { patient: alice, justification, reason: 'emergency' })).json().id,
    ).toBe(grant.id);

    const underGrant = await f.decide(f.ctxFor('physician@southbay', 'BTG'), 'read', notes);
    expect(underGrant).toMatchObject({
      allow: true,
      reason: 'break_glass',
      breakGlass: { grantId: grant.id, justification },
    });
    expect(underGrant.policyIds).toContain('institution.boundary');
    expect(
      (await f.decide(f.ctxFor('physician@southbay', 'ETREAT'), 'read', factsOf(f.row('alice', 'imaging'))))
        .breakGlass,
    ).toBeDefined();
    // Only with BTG/ETREAT, only reads across institutions, only this patient, never past the role.
    expect((await f.decide(f.ctxFor('physician@southbay', 'TREAT'), 'read', notes)).allow).toBe(false);
    expect((await f.decide(f.ctxFor('physician@southbay', 'BTG'), 'update', notes)).allow).toBe(false);
    expect(
      (await f.decide(f.ctxFor('physician@southbay', 'BTG'), 'read', factsOf(f.row('ben', 'labs')))).allow,
    ).toBe(false);
    expect((await f.decide(f.ctxFor('physician2@southbay', 'BTG'), 'read', notes)).allow).toBe(false);

    const active = await app.inject({ url: '/api/break-glass/active', headers: as('physician@southbay') });
    expect(active.json()).toEqual([expect.objectContaining({ id: grant.id, patient: alice })]);
    expect(active.json()[0].remainingSeconds).toBeGreaterThan(3500);
    expect(
      (await app.inject({ url: '/api/break-glass/active', headers: as('physician@northwind') })).json(),
    ).toEqual([]);

    const officerInbox = await app.inject({
      url: '/api/break-glass/notifications',
      headers: as('privacy-officer@northwind'),
    });
    expect(officerInbox.json()).toEqual([
      expect.objectContaining({ grant: grant.id, patientId: alice, delivered: true, justification }),
    ]);
    const patientInbox = await app.inject({
      url: '/api/break-glass/notifications',
      headers: as('alice.moreau'),
    });
    expect(patientInbox.json()).toEqual([
      expect.objectContaining({ grant: grant.id, clinician: 'user-physician@southbay' }),
    ]);
    expect(
      (await app.inject({ url: '/api/break-glass/notifications', headers: as('ben.okafor') })).json(),
    ).toEqual([]);

    const reviews = await app.inject({
      url: '/api/break-glass/reviews?pending=true',
      headers: as('privacy-officer@northwind'),
    });
    expect(reviews.json()).toEqual([
      expect.objectContaining({ id: grant.id, justification, acknowledgedAt: null }),
    ]);
    const ack = (user: string, comment: unknown) =>
      app.inject({
        method: 'POST',
        url: `/api/break-glass/${grant.id}/acknowledge`,
        headers: as(user),
        payload: { comment },
      });
    expect((await ack('physician@southbay', 'fine')).statusCode).toBe(403);
    expect((await ack('privacy-officer@northwind', '')).statusCode).toBe(400);
    const done = await ack('privacy-officer@northwind', 'Reviewed with the ED lead: justified.');
    expect(done.statusCode).toBe(200);
    expect((await ack('privacy-officer@northwind', 'again')).statusCode).toBe(409);
    expect(
      (
        await app.inject({
          url: '/api/break-glass/reviews?pending=true',
          headers: as('privacy-officer@northwind'),
        })
      ).json(),
    ).toEqual([]);
  });

  it('overrides consent but not role, and never outlives its window', async () => {
    const daniel = f.patientId('daniel');
    const imaging = factsOf(f.row('daniel', 'imaging'));
    expect((await f.decide(f.ctxFor('physician@northwind', 'BTG'), 'read', imaging)).allow).toBe(false);
    expect(
      (await open('physician@northwind', { patient: daniel, justification, reason: 'emergency', minutes: 5 }))
        .statusCode,
    ).toBe(201);
    expect(
      (await open('nurse@northwind', { patient: daniel, justification, reason: 'emergency' })).statusCode,
    ).toBe(201);
    expect(await f.decide(f.ctxFor('physician@northwind', 'BTG'), 'read', imaging)).toMatchObject({
      allow: true,
      reason: 'break_glass',
    });
    expect(
      (await f.decide(f.ctxFor('physician@northwind', 'BTG'), 'read', factsOf(f.row('daniel', 'notes:SUD'))))
        .allow,
    ).toBe(true);
    expect(await f.decide(f.ctxFor('nurse@northwind', 'BTG'), 'read', imaging)).toMatchObject({
      allow: false,
      reason: 'role_category',
    });
    // Expire the grant in the database: the next decision no longer runs under it.
    await sql`update authz_break_glass set created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'
      where patient_id = ${daniel}`.execute(f.t.runtime.records.db);
    expect((await f.decide(f.ctxFor('physician@northwind', 'BTG'), 'read', imaging)).allow).toBe(false);
    expect(
      (await app.inject({ url: '/api/break-glass/active', headers: as('physician@northwind') })).json(),
    ).toEqual([]);
  });

  it('consent receipts: the patient, a delegate and the home privacy office only', async () => {
    const url = (name: 'alice' | 'carla') => `/api/patients/${f.patientId(name)}/consent-receipts`;
    const alice = await app.inject({ url: url('alice'), headers: as('alice.moreau') });
    expect(alice.statusCode).toBe(200);
    expect(alice.json().length).toBeGreaterThan(0);
    expect(alice.json()[0]).toMatchObject({ changedBy: 'system', status: expect.any(String) });
    expect((await app.inject({ url: url('carla'), headers: as('julien.moreau') })).statusCode).toBe(200);
    expect((await app.inject({ url: url('alice'), headers: as('julien.moreau') })).statusCode).toBe(404);
    expect((await app.inject({ url: url('alice'), headers: as('ben.okafor') })).statusCode).toBe(404);
    expect(
      (await app.inject({ url: url('alice'), headers: as('privacy-officer@northwind') })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ url: url('alice'), headers: as('privacy-officer@southbay') })).statusCode,
    ).toBe(404);
    expect((await app.inject({ url: url('alice'), headers: as('physician@northwind') })).statusCode).toBe(
      403,
    );
  });

  it('exposes the policy version to administrators and privacy officers; reload keeps it when unchanged', async () => {
    const info = await app.inject({ url: '/api/authz/policy', headers: as('privacy-officer@northwind') });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({
      version: f.policy.policyVersion,
      files: expect.arrayContaining(['schema.cedarschema']),
    });
    expect(info.json().policies.length).toBeGreaterThan(20);
    expect(
      (await app.inject({ url: '/api/authz/policy', headers: as('physician@northwind') })).statusCode,
    ).toBe(403);
    const reload = await app.inject({
      method: 'POST',
      url: '/api/authz/policy/reload',
      headers: as('admin@northwind'),
    });
    expect(reload.statusCode).toBe(200);
    expect(reload.json().version).toBe(f.policy.policyVersion);
  });

  it('the database rejects an open-ended grant', async () => {
    await expect(
      sql`insert into authz_break_glass (id, subject, roles, patient_id, justification, reason, created_at, expires_at)
        values ('x', 's', '{}', 'p', 'j', 'r', now(), now())`.execute(f.t.runtime.records.db),
    ).rejects.toThrow();
  });
});
