import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createAccessPolicy, defaultPolicyDir } from '../../src/modules/authz/index.ts';
import { systemContext, userContext } from '../../src/platform/context/index.ts';
import { inCallerTransaction } from '../../src/platform/db/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { withStatus, writeConsent } from '../support/authz-consent-helpers.ts';
import { factsOf, openAuthzFixture, type AuthzFixture } from '../support/authz-fixture.ts';
import { backends } from '../support/runtime.ts';

describe.each(backends)('consent epochs, revocation and policy files on $name', (backend) => {
  let f: AuthzFixture;
  beforeAll(async () => {
    f = await openAuthzFixture(backend, 'authz_consent');
  }, 240_000);
  afterAll(() => f?.close());

  const frankPermit = () =>
    f.rows.find((r) => r.resourceType === 'Consent' && r.patientId === f.patientId('frank'))!;

  it('a revocation is effective on the very next decision, even with a warm cache', async () => {
    const ctx = f.ctxFor('physician@northwind');
    const labs = factsOf(f.row('frank', 'labs'));
    for (let i = 0; i < 3; i++) expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
    await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'inactive', 2));
    const denied = await f.decide(ctx, 'read', labs);
    expect(denied).toMatchObject({ allow: false, reason: 'other_institution_no_consent' });
    // Granting again is just as immediate.
    await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'active', 3));
    expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
  });

  it('with the epoch read beside the rows: a committed revocation is seen, a rolled-back one is not', async () => {
    const ctx = f.ctxFor('physician@northwind');
    const labs = factsOf(f.row('frank', 'labs'));
    const frank = f.patientId('frank');
    const decideAsRead = async () => {
      // What the records store does: the epoch comes from the statement that read the rows.
      const { rows } = await sql<{ epoch: string | null }>`
        select (select epoch::text from authz_patient where patient_id = ${frank}) as epoch`.execute(
        f.t.runtime.records.db as Kysely<unknown>,
      );
      const [decision] = await f.policy.decideMany(
        ctx,
        'read',
        [labs],
        new Map([[frank, Number(rows[0]?.epoch ?? 0)]]),
      );
      return decision!;
    };
    expect((await decideAsRead()).allow).toBe(true);
    await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'inactive', 20));
    expect(await decideAsRead()).toMatchObject({ allow: false, reason: 'other_institution_no_consent' });
    await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'active', 21));
    expect((await decideAsRead()).allow).toBe(true);
    // A bump announced to the shared cache and rolled back leaves the database epoch, and the decision.
    await expect(
      inCallerTransaction(f.t.runtime.records, systemContext('revocation that fails'), async (trx) => {
        const revoked = withStatus(frankPermit(), 'inactive', 22);
        await f.policy.projectWrite(
          trx,
          systemContext('x'),
          revoked.body as { resourceType: string; id: string },
          factsOf(revoked),
        );
        throw new Error('abort after projection');
      }),
    ).rejects.toThrow('abort after projection');
    expect((await decideAsRead()).allow).toBe(true);
  });

  it('a revocation racing an in-flight read: before commit the old state holds, nothing stale is cached after', async () => {
    const ctx = f.ctxFor('physician@northwind');
    const labs = factsOf(f.row('frank', 'labs'));
    expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
    // The revoking transaction bumps and announces the epoch, then rolls back: readers must keep the
    // committed (permitting) state and must not cache anything under the announced epoch.
    await expect(
      inCallerTransaction(f.t.runtime.records, systemContext('revocation that fails'), async (trx) => {
        const revoked = withStatus(frankPermit(), 'inactive', 4);
        await f.policy.projectWrite(
          trx,
          systemContext('x'),
          revoked.body as { resourceType: string; id: string },
          factsOf(revoked),
        );
        throw new Error('abort after projection');
      }),
    ).rejects.toThrow('abort after projection');
    expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
    await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'inactive', 5));
    expect((await f.decide(ctx, 'read', labs)).allow).toBe(false);
    await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'active', 6));
    expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
  });

  if (backend.kind === 'production') {
    it('a read concurrent with an uncommitted revocation sees the committed state; the next read after commit is denied', async () => {
      const ctx = f.ctxFor('physician@northwind');
      const labs = factsOf(f.row('frank', 'labs'));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let projected!: () => void;
      const inTransaction = new Promise<void>((resolve) => (projected = resolve));
      const revoking = inCallerTransaction(
        f.t.runtime.records,
        systemContext('slow revocation'),
        async (trx) => {
          const revoked = withStatus(frankPermit(), 'inactive', 7);
          await f.policy.projectWrite(
            trx,
            systemContext('x'),
            revoked.body as { resourceType: string; id: string },
            factsOf(revoked),
          );
          projected();
          await gate;
        },
      );
      await inTransaction;
      expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
      release();
      await revoking;
      expect((await f.decide(ctx, 'read', labs)).allow).toBe(false);
      await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'active', 8));
    });

    it('two runtimes sharing PostgreSQL and Redis: revoke on one, the next read on the other is denied', async () => {
      const config = loadConfig(f.t.env);
      const second = await openRuntime(config, createLogger(config), { migrate: false });
      const other = await createAccessPolicy({ database: second.records, cache: second.cache });
      try {
        const ctx = f.ctxFor('physician@northwind');
        const labs = factsOf(f.row('frank', 'labs'));
        for (let i = 0; i < 3; i++) expect((await other.decide(ctx, 'read', labs)).allow).toBe(true);
        expect(other.stats().decisionCacheSize).toBeGreaterThan(0);
        await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'inactive', 9));
        expect(await other.decide(ctx, 'read', labs)).toMatchObject({
          allow: false,
          reason: 'other_institution_no_consent',
        });
        await writeConsent(second.records, other, withStatus(frankPermit(), 'active', 10));
        expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
      } finally {
        await other.close();
        await second.close();
      }
    });
  } else {
    it('two policy instances sharing one runtime cache: revoke through one, the other denies next', async () => {
      const other = await createAccessPolicy({ database: f.t.runtime.records, cache: f.t.runtime.cache });
      try {
        const ctx = f.ctxFor('physician@northwind');
        const labs = factsOf(f.row('frank', 'labs'));
        expect((await other.decide(ctx, 'read', labs)).allow).toBe(true);
        await writeConsent(f.t.runtime.records, f.policy, withStatus(frankPermit(), 'inactive', 9));
        expect((await other.decide(ctx, 'read', labs)).allow).toBe(false);
        await writeConsent(f.t.runtime.records, other, withStatus(frankPermit(), 'active', 10));
        expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
      } finally {
        await other.close();
      }
    });
  }

  it('keeps a receipt of every consent change (who, when, what)', async () => {
    const alice = f.ctxFor('alice.moreau');
    const consent = f.rows.find((r) => r.resourceType === 'Consent' && r.patientId === f.patientId('alice'))!;
    await writeConsent(f.t.runtime.records, f.policy, withStatus(consent, 'inactive', 2), alice);
    await writeConsent(f.t.runtime.records, f.policy, withStatus(consent, 'active', 3), alice);
    const db = f.t.runtime.records.db as unknown as Kysely<{
      authz_consent_receipt: {
        consent_id: string;
        status: string;
        changed_by: string;
        version_id: string;
        changed_at: Date;
      };
    }>;
    const receipts = await db
      .selectFrom('authz_consent_receipt')
      .selectAll()
      .where('consent_id', '=', consent.id)
      .orderBy('changed_at')
      .execute();
    expect(receipts.map((r) => [r.status, r.version_id, r.changed_by]).slice(-2)).toEqual([
      ['inactive', '2', 'user-alice.moreau'],
      ['active', '3', 'user-alice.moreau'],
    ]);
  });

  it('a consent period in the future or past does not apply', async () => {
    const permit = frankPermit();
    const provision = { ...(permit.body.provision as object), period: { start: '2099-01-01' } };
    await writeConsent(f.t.runtime.records, f.policy, { ...permit, body: { ...permit.body, provision } });
    const ctx = f.ctxFor('physician@northwind');
    expect((await f.decide(ctx, 'read', factsOf(f.row('frank', 'labs')))).allow).toBe(false);
    const ended = {
      ...(permit.body.provision as object),
      period: { start: '2020-01-01', end: '2021-01-01' },
    };
    await writeConsent(f.t.runtime.records, f.policy, {
      ...permit,
      body: { ...permit.body, provision: ended },
    });
    expect((await f.decide(ctx, 'read', factsOf(f.row('frank', 'labs')))).allow).toBe(false);
    await writeConsent(f.t.runtime.records, f.policy, permit);
    expect((await f.decide(ctx, 'read', factsOf(f.row('frank', 'labs')))).allow).toBe(true);
  });

  it('an ended care relationship written now denies on the next request', async () => {
    const team = f.rows.find((r) => r.resourceType === 'CareTeam' && r.patientId === f.patientId('carla'))!;
    const ctx = f.ctxFor('nurse@northwind');
    const labs = factsOf(f.row('carla', 'labs'));
    expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
    const ended = {
      ...team,
      body: { ...team.body, status: 'inactive', period: { start: '2020-01-01', end: '2021-01-01' } },
    };
    await writeConsent(f.t.runtime.records, f.policy, ended);
    expect(await f.decide(ctx, 'read', labs)).toMatchObject({
      allow: false,
      reason: 'care_relationship_ended',
    });
    await writeConsent(f.t.runtime.records, f.policy, team);
    expect((await f.decide(ctx, 'read', labs)).allow).toBe(true);
  });

  it('validates policies against the schema at start and refuses an invalid one; reload keeps the old set on error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'authz-policies-'));
    for (const name of await readdir(defaultPolicyDir)) {
      await writeFile(path.join(dir, name), await readFile(path.join(defaultPolicyDir, name)));
    }
    const policy = await createAccessPolicy({
      database: f.t.runtime.records,
      cache: f.t.runtime.cache,
      policyDir: dir,
    });
    try {
      expect(policy.policyVersion).toMatch(/^sha256:[0-9a-f]{12}$/);
      expect(policy.policyVersion).toBe(f.policy.policyVersion);
      const bad =
        '@id("bad")\n@reason("bad")\npermit (principal, action, resource) when { resource.nosuch == "x" };\n';
      await writeFile(path.join(dir, '99-bad.cedar'), bad);
      await expect(policy.reload()).rejects.toThrow(/validate/);
      expect(policy.policyVersion).toBe(f.policy.policyVersion);
      await expect(
        createAccessPolicy({ database: f.t.runtime.records, cache: f.t.runtime.cache, policyDir: dir }),
      ).rejects.toThrow(/validate/);
      await writeFile(path.join(dir, '99-bad.cedar'), 'permit (principal, action, resource) when { ');
      await expect(policy.reload()).rejects.toThrow(/parse/);
      // A valid change is picked up with a new version.
      await writeFile(
        path.join(dir, '99-bad.cedar'),
        '@id("extra.deny-all-notes")\n@reason("institution_policy")\n@priority("8")\nforbid (principal is Carebase::User, action, resource) when { resource.category == "notes" && resource.patient != principal.patient };\n',
      );
      const version = await policy.reload();
      expect(version).not.toBe(f.policy.policyVersion);
      const d = await policy.decide(
        f.ctxFor('physician@northwind'),
        'read',
        factsOf(f.row('alice', 'notes')),
      );
      expect(d).toMatchObject({
        allow: false,
        reason: 'institution_policy',
        policyIds: ['extra.deny-all-notes'],
      });
    } finally {
      await policy.close();
    }
  });

  it('system contexts are explicit; a user context without subject data is never treated as system', async () => {
    const forged = userContext({ requestId: 'r', subject: 'system', roles: [], institution: 'northwind' });
    expect((await f.decide(forged, 'read', factsOf(f.row('alice', 'labs')))).allow).toBe(false);
  });
});
