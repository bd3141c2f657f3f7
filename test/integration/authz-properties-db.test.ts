import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordAction } from '../../src/modules/authz/index.ts';
import type { PurposeOfUse } from '../../src/platform/context/index.ts';
import { withStatus, writeConsent } from '../support/authz-consent-helpers.ts';
import { factsOf, openAuthzFixture, type AuthzFixture } from '../support/authz-fixture.ts';
import { referenceAllows, type RefRelationship, type RefRule } from '../support/authz-reference.ts';

// Its own file (own worker), apart from the 3000-run pure property: with PGlite in the same isolate that
// run first exposed the V8 JS→Wasm inlining crash worked around in cedar-engine.ts.
describe('through the database: random consents for a demo patient, every stored row', () => {
  let f: AuthzFixture;
  beforeAll(async () => {
    f = await openAuthzFixture(
      { name: 'embedded (PGlite, in-process cache and bus, local files)', kind: 'embedded' },
      'authz_props',
    );
  }, 240_000);
  afterAll(() => f?.close());

  it('never permits a stored resource the reference denies', async () => {
    const consent = f.rows.find((r) => r.resourceType === 'Consent' && r.patientId === f.patientId('frank'))!;
    const frankRows = f.rows.filter((r) => r.patientId === f.patientId('frank'));
    const users = [
      'physician@northwind',
      'nurse@northwind',
      'physician@southbay',
      'radiology@southbay',
      'billing@southbay',
      'researcher@southbay',
      'rosa.delgado',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...users),
        fc.constantFrom('TREAT', 'ETREAT', 'HPAYMT', 'HRESCH'),
        fc.constantFrom<RecordAction>('read', 'search', 'update', 'export'),
        fc.constantFrom<'permit' | 'deny'>('permit', 'deny'),
        fc.subarray(['Organization/northwind', 'Organization/southbay']),
        fc.subarray(['labs', 'imaging', 'notes', 'medications']),
        fc.constantFrom<'active' | 'inactive'>('active', 'inactive'),
        async (user, purpose, action, type, actors, cats, status) => {
          const provision = {
            type,
            ...(actors.length ? { actor: actors.map((reference) => ({ reference: { reference } })) } : {}),
            purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
            ...(cats.length
              ? {
                  code: cats.map((c) => ({
                    coding: [{ system: 'https://carebase.dev/fhir/CodeSystem/record-category', code: c }],
                  })),
                }
              : {}),
          };
          await writeConsent(f.t.runtime.records, f.policy, {
            ...withStatus(consent, status, 2),
            body: { ...consent.body, status, provision },
          });
          const ctx = f.ctxFor(user, purpose as PurposeOfUse);
          const decisions = await f.policy.decideMany(ctx, action, frankRows.map(factsOf));
          const creds = f.credentials.users.find((u) => u.username === user)!;
          const teamRels: RefRelationship[] = f.credentials.patients
            .find((p) => p.id === f.patientId('frank'))!
            .careTeam.includes(user)
            ? [
                {
                  kind: 'care-team',
                  member: `Practitioner/${creds.practitionerId}`,
                  team: 'frank-team',
                  active: true,
                },
              ]
            : [];
          const rule: RefRule = {
            status,
            effect: type,
            actors,
            purposes: ['TREAT'],
            categories: cats,
            labels: [],
            research: false,
          };
          for (const [i, row] of frankRows.entries()) {
            if (!decisions[i]!.allow) continue;
            const ok = referenceAllows(
              {
                role: creds.roles[0]!,
                institution: creds.institution,
                practitioner: creds.practitionerId ?? '',
                patient: '',
                delegations: user === 'rosa.delgado' ? [f.patientId('frank')] : [],
              },
              purpose,
              action,
              {
                type: row.resourceType,
                patient: row.patientId!,
                institution: row.institutionId,
                category: row.category,
                security: [...row.security],
                renal: false,
              },
              [rule],
              teamRels,
              false,
              Date.now(),
            );
            expect(
              ok,
              `${user} ${purpose} ${action} ${row.resourceType}/${row.id} ${JSON.stringify(rule)}`,
            ).toBe(true);
          }
        },
      ),
      { numRuns: 40, seed: 7 },
    );
    await writeConsent(f.t.runtime.records, f.policy, consent);
  });
});
