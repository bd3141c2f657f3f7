import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordAction } from '../../src/modules/authz/index.ts';
import type { PurposeOfUse } from '../../src/platform/context/index.ts';
import { decisionTable, parseCases } from '../support/authz-cases.ts';
import {
  factsOf,
  matches,
  openAuthzFixture,
  type AuthzFixture,
  type DemoPatientName,
} from '../support/authz-fixture.ts';
import { backends } from '../support/runtime.ts';

const cases = parseCases(decisionTable);
const institutions = new Set(['northwind', 'southbay']);

describe.each(backends)('authorization decision table on $name', (backend) => {
  let f: AuthzFixture;
  beforeAll(async () => {
    f = await openAuthzFixture(backend, 'authz_table');
  }, 240_000);
  afterAll(() => f?.close());

  it('holds at least 150 adversarial cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  it.each(cases)('$user ($purpose) $action $patient/$selector → $expected $reason', async (c) => {
    const row = institutions.has(c.patient)
      ? f.rows.find((r) => !r.patientId && r.institutionId === c.patient && matches(r, c.selector))
      : f.row(c.patient as DemoPatientName, c.selector);
    if (!row) throw new Error(`no row for ${c.patient}/${c.selector}`);
    const purpose = c.purpose === '' ? undefined : c.purpose === 'none' ? null : (c.purpose as PurposeOfUse);
    const decision = await f.decide(f.ctxFor(c.user, purpose), c.action as RecordAction, factsOf(row));
    expect({ allow: decision.allow, reason: decision.reason }).toEqual({
      allow: c.expected === 'allow',
      reason: c.reason,
    });
    expect(
      decision.policyIds.length > 0 || ['role_category', 'unauthenticated'].includes(decision.reason),
    ).toBe(true);
    if (decision.allow) expect(decision.breakGlass).toBeUndefined();
  });

  it('a cached decision equals the uncached one for every case (same order, decideMany)', async () => {
    for (const c of cases.slice(0, 40)) {
      const row = institutions.has(c.patient)
        ? f.rows.find((r) => !r.patientId && r.institutionId === c.patient && matches(r, c.selector))!
        : f.row(c.patient as DemoPatientName, c.selector);
      const purpose =
        c.purpose === '' ? undefined : c.purpose === 'none' ? null : (c.purpose as PurposeOfUse);
      const ctx = f.ctxFor(c.user, purpose);
      const [a, b] = await f.policy.decideMany(ctx, c.action as RecordAction, [factsOf(row), factsOf(row)]);
      expect(b).toEqual(a);
    }
  });

  it('denies instead of guessing when a fact is missing', async () => {
    const ctx = f.ctxFor('physician@northwind');
    const facts = factsOf(f.row('alice', 'labs'));
    expect((await f.decide(ctx, 'read', { ...facts, category: '' })).reason).toBe(
      'missing_attribute:category',
    );
    expect((await f.decide(ctx, 'read', { ...facts, institutionId: '' })).reason).toBe(
      'missing_attribute:institutionId',
    );
    expect(
      (await f.decide(ctx, 'read', { ...facts, security: undefined as unknown as string[] })).reason,
    ).toBe('missing_attribute:security');
    const homeless = f.ctxFor('physician@northwind', undefined, { institution: undefined });
    expect((await f.decide(homeless, 'read', facts)).allow).toBe(false);
  });

  it('treats ids as data: an injected patient id or category matches nothing', async () => {
    const ctx = f.ctxFor('physician@northwind');
    const facts = factsOf(f.row('alice', 'labs'));
    for (const patientId of ["x' or '1'='1", `${facts.patientId},${f.patientId('ben')}`, '*', '%']) {
      const d = await f.decide(ctx, 'read', { ...facts, patientId });
      expect(d.allow, patientId).toBe(false);
      expect(d.reason).toBe('no_care_relationship');
    }
    const weird = await f.decide(ctx, 'read', { ...facts, category: 'labs" || true' });
    expect(weird.allow).toBe(false);
  });

  it('renal and hepatic labs (by LOINC code) are the only labs a pharmacist reads', async () => {
    const ctx = f.ctxFor('pharmacist@northwind');
    const facts = factsOf(f.row('alice', 'labs'));
    expect((await f.decide(ctx, 'read', { ...facts, codes: ['2160-0'] })).allow).toBe(true);
    expect((await f.decide(ctx, 'read', { ...facts, codes: ['4548-4'] })).reason).toBe('role_category');
  });

  it('discloses existence only to callers who may know it (403 vs 404)', async () => {
    const labs = factsOf(f.row('daniel', 'imaging'));
    expect((await f.decide(f.ctxFor('physician@northwind'), 'read', labs)).disclose).toBe(true);
    expect((await f.decide(f.ctxFor('physician@southbay'), 'read', labs)).disclose).toBe(false);
    expect((await f.decide(f.ctxFor('alice.moreau'), 'read', labs)).disclose).toBe(false);
    expect((await f.decide(f.ctxFor('admin@northwind'), 'read', labs)).disclose).toBe(false);
  });
});
