import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeidentifier } from '../../src/modules/authz/index.ts';
import { openAuthzFixture, type AuthzFixture } from '../support/authz-fixture.ts';
import { as, authzApp } from '../support/authz-http.ts';
import { backends } from '../support/runtime.ts';

interface Entry {
  resource: Record<string, unknown> & { resourceType: string; id: string };
}

describe.each(backends)('de-identified research export on $name', (backend) => {
  let f: AuthzFixture;
  let app: FastifyInstance;
  beforeAll(async () => {
    f = await openAuthzFixture(backend, 'authz_research');
    app = await authzApp(f);
  }, 240_000);
  afterAll(async () => {
    await app?.close();
    await f?.close();
  });

  const exportAs = (user: string, purpose?: string) =>
    app.inject({ url: '/api/research/export', headers: as(user, purpose) });

  it('only researchers, only with purpose HRESCH', async () => {
    expect((await exportAs('physician@northwind')).statusCode).toBe(403);
    expect((await exportAs('alice.moreau')).statusCode).toBe(403);
    const wrongPurpose = await exportAs('researcher@northwind', 'TREAT');
    expect(wrongPurpose.statusCode).toBe(403);
    expect(wrongPurpose.json().reason).toBe('purpose_not_permitted');
  });

  it('exports opted-in patients of the institution only, with Safe Harbor identifiers removed', async () => {
    const res = await exportAs('researcher@northwind');
    expect(res.statusCode).toBe(200);
    const bundle = res.json() as { entry: Entry[]; patients: number };
    expect(bundle.patients).toBe(1); // Alice: Northwind's only research opt-in (Eve is Southbay's).
    const text = res.body;
    const alice = f.rows.find(
      (r) => r.resourceType === 'Patient' && r.patientId === f.patientId('alice'),
    )!.body;
    const names = alice.name as { family: string; given: string[] }[];
    for (const secret of [
      f.patientId('alice'),
      f.patientId('ben'),
      f.patientId('eve'),
      names[0]!.family,
      names[0]!.given[0]!,
      String(alice.birthDate),
    ]) {
      expect(text, secret).not.toContain(secret);
    }
    for (const key of [
      '"name"',
      '"telecom"',
      '"address"',
      '"identifier"',
      '"display"',
      '"text"',
      '"note"',
      '"conclusion"',
    ]) {
      expect(text, key).not.toContain(key);
    }
    const types = new Set(bundle.entry.map((e) => e.resource.resourceType));
    expect(types.has('Patient')).toBe(true);
    expect(types.has('Observation')).toBe(true);
    for (const excluded of ['DocumentReference', 'Consent', 'Practitioner', 'Binary'])
      expect(types.has(excluded)).toBe(false);
    // No restricted data leaves, and every reference is a pseudonym.
    for (const e of bundle.entry) {
      expect(JSON.stringify(e.resource)).not.toMatch(/"code":"(PSY|HIV|SUD)"/);
      expect(e.resource.id).toMatch(/^[0-9a-f]{24}$/);
    }
    // Pseudonyms are stable across exports.
    const again = (await exportAs('researcher@northwind')).json() as { entry: Entry[] };
    expect(again.entry.map((e) => e.resource.id).sort()).toEqual(
      bundle.entry.map((e) => e.resource.id).sort(),
    );
  });

  it('shifts dates per patient by a stable offset and keeps intervals', () => {
    const deid = createDeidentifier(Buffer.alloc(32, 7));
    const a = deid.shiftDays('p1');
    expect(a).not.toBe(0);
    expect(Math.abs(a)).toBeLessThanOrEqual(365);
    expect(deid.shiftDays('p1')).toBe(a);
    const out = deid.resource(
      {
        resourceType: 'Observation',
        id: 'o1',
        effectiveDateTime: '2026-01-10T10:00:00Z',
        issued: '2026-01-12T10:00:00Z',
        subject: { reference: 'Patient/p1', display: 'Jane Roe' },
      },
      'p1',
    )!;
    const gap = Date.parse(out.issued as string) - Date.parse(out.effectiveDateTime as string);
    expect(gap).toBe(2 * 86_400_000);
    expect(Date.parse(out.effectiveDateTime as string) - Date.parse('2026-01-10T10:00:00Z')).toBe(
      a * 86_400_000,
    );
    expect(out.subject).toEqual({ reference: `Patient/${deid.pseudonym('Patient', 'p1')}` });
    const old = deid.resource(
      { resourceType: 'Patient', id: 'p9', birthDate: '1920-05-01', gender: 'female' },
      'p9',
    )!;
    expect(old.birthDate).toBeUndefined();
  });

  it('a patient who revokes research consent leaves the next export', async () => {
    const consent = f.rows.find(
      (r) =>
        r.resourceType === 'Consent' &&
        r.patientId === f.patientId('alice') &&
        JSON.stringify(r.body).includes('HRESCH'),
    )!;
    const { writeConsent, withStatus } = await import('../support/authz-consent-helpers.ts');
    await writeConsent(f.t.runtime.records, f.policy, withStatus(consent, 'inactive', 2));
    const bundle = (await exportAs('researcher@northwind')).json() as { patients: number; entry: Entry[] };
    expect(bundle.patients).toBe(0);
    expect(bundle.entry).toEqual([]);
    await writeConsent(f.t.runtime.records, f.policy, withStatus(consent, 'active', 3));
  });
});
