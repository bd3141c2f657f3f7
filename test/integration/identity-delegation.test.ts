import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app/index.ts';
import type { IdentityDB } from '../../src/modules/identity/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import {
  addDelegation,
  bearer,
  createInstitutions,
  createUser,
  randomIp,
  runId,
  signIn,
  type FixtureUser,
} from './identity-fixtures.ts';

interface Listing {
  delegates: {
    id: string;
    name: string;
    relationship: string;
    since: string;
    endsAt: string | null;
    status: 'active' | 'ended';
  }[];
  invitations: { id: string; name: string; email: string; relationship: string; expiresAt: string }[];
  scope: Record<string, string>;
}

const nextYear = `${new Date().getUTCFullYear() + 1}-06-30`;

describe.each(backends)('identity: a patient’s own delegates on $name', (backend) => {
  let t: TestRuntime;
  let app: FastifyInstance;
  let alice: FixtureUser;
  let ben: FixtureUser;
  let benParent: FixtureUser;
  let southDoctor: FixtureUser;
  const tokens: Record<string, string> = {};
  const north = `north-${runId}`;
  const south = `south-${runId}`;
  const alicePatient = `pat-alice-${runId}`;
  const benPatient = `pat-ben-${runId}`;

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'identity_delegation');
    await createInstitutions(t.runtime.records, [
      { id: north, name: 'North Clinic' },
      { id: south, name: 'South Hospital' },
    ]);
    app = await buildApp(t.runtime);
    alice = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: alicePatient,
    });
    ben = await createUser(t.runtime.records, {
      roles: ['patient'],
      institution: north,
      patientId: benPatient,
    });
    benParent = await createUser(t.runtime.records, { roles: ['delegate'], institution: north });
    await addDelegation(t.runtime.records, benParent.id, benPatient, 'parent');
    southDoctor = await createUser(t.runtime.records, {
      roles: ['physician'],
      institution: south,
      practitionerId: 'pr-south',
    });
    for (const [name, user] of Object.entries({ alice, ben, benParent, southDoctor }))
      tokens[name] = (await signIn(app, user)).access_token;
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  const call = (who: string | undefined, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    app.inject({
      method,
      url,
      headers: who ? bearer(tokens[who] ?? who) : {},
      remoteAddress: randomIp(),
      ...(payload ? { payload } : {}),
    });
  const listOf = async (who: string) => {
    const response = await call(who, 'GET', '/api/me/delegates');
    expect(response.statusCode).toBe(200);
    return response.json() as Listing;
  };
  const invite = async (who: string, body: object = {}) =>
    call(who, 'POST', '/api/me/delegates/invitations', {
      name: 'Marc Moreau',
      email: 'marc@example.org',
      relationship: 'proxy',
      ...body,
    });
  const accept = (code: string, username: string, password = 'a sufficiently long passphrase') =>
    call(undefined, 'POST', '/auth/delegate-invitations/accept', { code, username, password });
  /** The ledger entries about a patient's delegates (appended before the answer leaves). */
  const delegationAudit = async (patientId: string, reason: string) =>
    vi.waitFor(
      async () => {
        const rows = await (
          t.runtime.audit.db as Kysely<{ audit_entry: { patient_id: string; action: string; entry: string } }>
        )
          .selectFrom('audit_entry')
          .select(['entry'])
          .where('patient_id', '=', patientId)
          .where('action', '=', 'consent-change')
          .execute();
        const found = rows
          .map(
            (row) =>
              (typeof row.entry === 'string' ? JSON.parse(row.entry) : row.entry) as { reason?: string },
          )
          .filter((entry) => entry.reason === reason);
        expect(found.length).toBeGreaterThan(0);
        return found;
      },
      { timeout: 5_000 },
    );

  it('a patient invites a proxy, who accepts with their own login and then reads the record', async () => {
    const created = await invite('alice', { endsOn: nextYear });
    expect(created.statusCode).toBe(201);
    const { code, invitation } = created.json() as { code: string; invitation: { id: string } };
    expect(code.length).toBeGreaterThanOrEqual(20);
    const pending = await listOf('alice');
    expect(pending.invitations.map((i) => [i.name, i.email, i.relationship])).toEqual([
      ['Marc Moreau', 'marc@example.org', 'proxy'],
    ]);
    expect(pending.delegates).toEqual([]);
    // Only a hash of the code is stored.
    const stored = await (t.runtime.records.db as Kysely<IdentityDB>)
      .selectFrom('delegate_invitation')
      .selectAll()
      .where('id', '=', invitation.id)
      .executeTakeFirstOrThrow();
    expect(stored.code_hash).not.toContain(code);

    const username = `marc-${runId}-${backend.kind}`;
    expect((await accept(code, username, 'short')).statusCode).toBe(400);
    expect((await accept(code, username, username)).statusCode).toBe(400);
    const accepted = await accept(code, username);
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toEqual({ username, name: 'Marc Moreau' });
    // A used code is refused like an unknown one.
    expect((await accept(code, `${username}-again`)).statusCode).toBe(401);
    expect((await accept('not-a-real-invitation-code', `${username}-x`)).statusCode).toBe(401);

    const listed = await listOf('alice');
    expect(listed.invitations).toEqual([]);
    expect(listed.delegates).toHaveLength(1);
    expect(listed.delegates[0]).toMatchObject({
      name: 'Marc Moreau',
      relationship: 'proxy',
      status: 'active',
    });
    // The end date includes that whole day.
    expect(listed.delegates[0]?.endsAt).toBe(
      new Date(Date.parse(`${nextYear}T00:00:00Z`) + 86_400_000).toISOString(),
    );
    expect(Date.now() - Date.parse(listed.delegates[0]!.since)).toBeLessThan(60_000);

    const marc: FixtureUser = {
      id: listed.delegates[0]!.id,
      username,
      password: 'a sufficiently long passphrase',
      totpSecret: undefined,
      roles: ['delegate'],
      institution: north,
    };
    tokens.marc = (await signIn(app, marc)).access_token;
    const me = (await call('marc', 'GET', '/api/me')).json() as { roles: string[]; delegations: unknown[] };
    expect(me.roles).toEqual(['delegate']);
    expect(me.delegations).toEqual([
      expect.objectContaining({ patientId: alicePatient, relationship: 'proxy' }),
    ]);
    expect((await call('marc', 'GET', `/api/me/access-log?patient=${alicePatient}`)).statusCode).toBe(200);
    expect((await call('marc', 'GET', `/fhir/R4/Observation?patient=${alicePatient}`)).statusCode).toBe(200);
    // The delegation does not reach another patient, nor let the proxy manage delegates.
    expect((await call('marc', 'GET', `/fhir/R4/Observation?patient=${benPatient}`)).statusCode).toBe(403);
    expect((await call('marc', 'GET', '/api/me/delegates')).statusCode).toBe(403);

    await delegationAudit(alicePatient, 'invited');
    await delegationAudit(alicePatient, 'accepted');
  });

  it('fails closed: when the ledger cannot record the change, no invitation code is handed out', async () => {
    const append = vi.spyOn(t.runtime.auditLog, 'append').mockRejectedValueOnce(new Error('ledger down'));
    try {
      const refused = await invite('alice', { name: 'Unaudited Person' });
      expect(refused.statusCode).toBe(500);
      expect(refused.body).not.toMatch(/code|ledger/);
    } finally {
      append.mockRestore();
    }
    // Nothing half-written: the invitation was rolled back with its ledger entry.
    expect((await listOf('alice')).invitations.map((i) => i.name)).not.toContain('Unaudited Person');
  });

  it('refuses everyone but the patient themself', async () => {
    const aliceDelegate = (await listOf('alice')).delegates[0]!;
    // Another patient cannot see or remove Alice's delegates: their own list is theirs only.
    const bensList = await listOf('ben');
    expect(bensList.delegates.map((d) => d.id)).toEqual([benParent.id]);
    expect((await call('ben', 'DELETE', `/api/me/delegates/${aliceDelegate.id}`)).statusCode).toBe(404);
    // A request naming another patient's record is refused, not silently applied to the caller's.
    expect((await invite('ben', { patientId: alicePatient })).statusCode).toBe(400);
    // A delegate of another patient cannot add or remove delegates; staff of another institution neither.
    for (const who of ['benParent', 'southDoctor']) {
      expect((await invite(who)).statusCode).toBe(403);
      expect((await call(who, 'GET', '/api/me/delegates')).statusCode).toBe(403);
      expect((await call(who, 'DELETE', `/api/me/delegates/${aliceDelegate.id}`)).statusCode).toBe(403);
    }
    expect((await call(undefined, 'GET', '/api/me/delegates')).statusCode).toBe(401);
    // Alice's delegate is still in force after all of that.
    expect((await listOf('alice')).delegates.map((d) => d.id)).toEqual([aliceDelegate.id]);
    expect((await call('marc', 'GET', `/fhir/R4/Observation?patient=${alicePatient}`)).statusCode).toBe(200);
  });

  it('refuses expired and cancelled invitations, and end dates in the past', async () => {
    expect((await invite('alice', { endsOn: '2020-01-01' })).statusCode).toBe(400);
    expect((await invite('alice', { relationship: 'friend' })).statusCode).toBe(400);
    expect((await invite('alice', { email: 'not an email' })).statusCode).toBe(400);

    const expiring = (await invite('alice')).json() as { code: string; invitation: { id: string } };
    await (t.runtime.records.db as Kysely<IdentityDB>)
      .updateTable('delegate_invitation')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.invitation.id)
      .execute();
    expect((await accept(expiring.code, `late-${runId}-${backend.kind}`)).statusCode).toBe(401);

    const cancelled = (await invite('alice')).json() as { code: string; invitation: { id: string } };
    const url = `/api/me/delegates/invitations/${cancelled.invitation.id}`;
    expect((await call('ben', 'DELETE', url)).statusCode).toBe(404);
    expect((await call('alice', 'DELETE', url)).statusCode).toBe(200);
    expect((await call('alice', 'DELETE', url)).statusCode).toBe(404);
    expect((await accept(cancelled.code, `cancelled-${runId}-${backend.kind}`)).statusCode).toBe(401);
    expect((await listOf('alice')).invitations).toEqual([]);
    await delegationAudit(alicePatient, 'invitation_cancelled');
  });

  it('removal takes effect at once: the removed delegate’s token no longer reads the record', async () => {
    const marcId = (await listOf('alice')).delegates[0]!.id;
    const removed = await call('alice', 'DELETE', `/api/me/delegates/${marcId}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toMatchObject({ removed: true });
    // The token issued while the delegation existed is dead on its very next request.
    expect((await call('marc', 'GET', `/fhir/R4/Observation?patient=${alicePatient}`)).statusCode).toBe(401);
    expect((await call('marc', 'GET', `/api/me/access-log?patient=${alicePatient}`)).statusCode).toBe(401);
    // Signing in again gives a token without the delegation.
    const marcUsername = `marc-${runId}-${backend.kind}`;
    const fresh = await signIn(app, {
      id: marcId,
      username: marcUsername,
      password: 'a sufficiently long passphrase',
      totpSecret: undefined,
      roles: ['delegate'],
      institution: north,
    });
    tokens.marc = fresh.access_token;
    expect((await call('marc', 'GET', `/fhir/R4/Observation?patient=${alicePatient}`)).statusCode).toBe(403);
    expect((await call('marc', 'GET', `/api/me/access-log?patient=${alicePatient}`)).statusCode).toBe(403);
    expect((await listOf('alice')).delegates).toEqual([]);
    expect((await call('alice', 'DELETE', `/api/me/delegates/${marcId}`)).statusCode).toBe(404);
    const [entry] = await delegationAudit(alicePatient, 'removed');
    expect(entry).toMatchObject({
      actor: { subject: alice.id, roles: ['patient'] },
      detail: { delegate: marcId },
    });
  });

  it('an end date bounds the token’s life, and a delegation past it is no longer carried', async () => {
    const { code } = (await invite('ben', { relationship: 'guardian' })).json() as { code: string };
    const username = `gina-${runId}-${backend.kind}`;
    expect((await accept(code, username)).statusCode).toBe(201);
    const gina = (await listOf('ben')).delegates.find((d) => d.relationship === 'guardian')!;
    const ginaLogin: FixtureUser = {
      id: gina.id,
      username,
      password: 'a sufficiently long passphrase',
      totpSecret: undefined,
      roles: ['delegate'],
      institution: north,
    };
    const setEnd = (endsAt: Date) =>
      (t.runtime.records.db as Kysely<IdentityDB>)
        .updateTable('delegation')
        .set({ ends_at: endsAt })
        .where('delegate_user_id', '=', gina.id)
        .execute();
    // A token carrying a delegation that ends in two minutes lives no longer than that.
    await setEnd(new Date(Date.now() + 120_000));
    const shortLived = await signIn(app, ginaLogin);
    expect(shortLived.expires_in).toBeLessThanOrEqual(120);
    expect(shortLived.expires_in).toBeGreaterThan(60);
    await setEnd(new Date(Date.now() - 1000));
    expect((await listOf('ben')).delegates.find((d) => d.id === gina.id)?.status).toBe('ended');
    const token = await signIn(app, ginaLogin);
    const me = await app.inject({ url: '/api/me', headers: bearer(token.access_token) });
    expect(me.json().delegations).toEqual([]);
  });
});
