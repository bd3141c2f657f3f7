import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurposeOfUse, RequestContext } from '../../src/platform/context/index.ts';
import { inCallerTransaction } from '../../src/platform/db/index.ts';
import { openAuthzFixture, type AuthzFixture } from '../support/authz-fixture.ts';
import { backends } from '../support/runtime.ts';

/** The database layer on its own: what each caller's transaction can see, with no service layer above it. */
describe.each(backends)('row-level security (database layer) on $name', (backend) => {
  let f: AuthzFixture;
  beforeAll(async () => {
    f = await openAuthzFixture(backend, 'authz_rls');
  }, 240_000);
  afterAll(() => f?.close());

  const patientsSeen = (ctx: RequestContext) =>
    inCallerTransaction(f.t.runtime.records, ctx, async (trx) => {
      const { rows } = await sql<{ patient_id: string | null; n: number }>`
        select patient_id, count(*)::int as n from resource group by patient_id`.execute(trx);
      return new Set(rows.map((r) => r.patient_id ?? '(directory)'));
    });
  const seen = (user: string, purpose?: PurposeOfUse | null) => patientsSeen(f.ctxFor(user, purpose));

  it('fails closed without caller settings, and for an unknown caller kind', async () => {
    const db = f.t.runtime.records.db as Kysely<unknown>;
    const rows = await db.transaction().execute(async (trx) => {
      if (f.t.runtime.records.kind === 'pglite') await sql`set local role carebase_app`.execute(trx);
      const a = await sql`select 1 from resource`.execute(trx);
      await sql`select set_config('carebase.kind', 'admin', true), set_config('carebase.institution', 'northwind', true)`.execute(
        trx,
      );
      const b = await sql`select 1 from resource`.execute(trx);
      return a.rows.length + b.rows.length;
    });
    expect(rows).toBe(0);
  });

  it('a patient sees only their own compartment; a delegate only the delegated patient', async () => {
    expect([...(await seen('alice.moreau'))]).toEqual([f.patientId('alice')]);
    expect([...(await seen('julien.moreau'))]).toEqual([f.patientId('carla')]);
  });

  it('staff see their institution; administrators, privacy officers and researchers see no clinical rows', async () => {
    const physician = await seen('physician@northwind');
    expect(physician.has(f.patientId('ben'))).toBe(true);
    expect(physician.has(f.patientId('eve'))).toBe(false);
    for (const user of ['admin@northwind', 'privacy-officer@northwind', 'researcher@northwind']) {
      expect([...(await seen(user))], user).toEqual(['(directory)']);
    }
  });

  it('another institution is visible only where the patient permitted it, for the permitted purpose', async () => {
    const southbay = await seen('physician@southbay', 'TREAT');
    expect(southbay.has(f.patientId('alice'))).toBe(true);
    expect(southbay.has(f.patientId('ben'))).toBe(false);
    expect(southbay.has(f.patientId('carla'))).toBe(false);
    expect((await seen('physician@southbay', 'ETREAT')).has(f.patientId('alice'))).toBe(false);
    // Grace revoked her permit for Northwind: it no longer opens her rows.
    expect((await seen('physician@northwind')).has(f.patientId('grace'))).toBe(false);
    expect((await seen('physician@northwind')).has(f.patientId('frank'))).toBe(true);
    // Billing is not a treating role: no cross-institution rows even with a permit.
    expect((await seen('billing@southbay')).has(f.patientId('alice'))).toBe(false);
  });

  it('break-glass opens exactly one patient, for its clinician, with BTG/ETREAT, while active', async () => {
    const carla = f.patientId('carla');
    const grant = await f.policy.breakGlass.open(f.ctxFor('nurse@southbay'), {
      patient: carla,
      justification: 'Child brought in unconscious, parent unreachable',
      reason: 'emergency',
    });
    expect((await seen('nurse@southbay', 'BTG')).has(carla)).toBe(true);
    expect((await seen('nurse@southbay', 'ETREAT')).has(carla)).toBe(true);
    expect((await seen('nurse@southbay', 'TREAT')).has(carla)).toBe(false);
    expect((await seen('nurse@southbay', 'BTG')).has(f.patientId('ben'))).toBe(false);
    expect((await seen('physician@southbay', 'BTG')).has(carla)).toBe(false);
    await sql`update authz_break_glass set created_at = now() - interval '2 hours', expires_at = now() - interval '1 second'
      where id = ${grant.grantId}`.execute(f.t.runtime.records.db);
    expect((await seen('nurse@southbay', 'BTG')).has(carla)).toBe(false);
  });

  it('writes are checked too: no row for another institution without consent', async () => {
    const ctx = f.ctxFor('physician@southbay');
    await expect(
      inCallerTransaction(f.t.runtime.records, ctx, (trx) =>
        sql`update resource set security = security where patient_id = ${f.patientId('ben')} returning id`.execute(
          trx,
        ),
      ),
    ).resolves.toMatchObject({ rows: [] });
  });

  it('a pooled connection carries no caller into the next transaction', async () => {
    await seen('physician@northwind');
    const { rows } = await sql<{ who: string | null; pr: string | null }>`
      select current_setting('carebase.subject', true) as who, current_setting('carebase.practitioner', true) as pr`.execute(
      f.t.runtime.records.db,
    );
    expect(rows[0]?.who ?? '').toBe('');
    expect(rows[0]?.pr ?? '').toBe('');
  });
});
