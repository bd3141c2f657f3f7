import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySet, type LoadedPolicySet, type RecordAction } from '../../src/modules/authz/index.ts';
import { relationshipView, type CareRelationship } from '../../src/modules/authz/care-relationships.ts';
import { consentView, type ConsentRule } from '../../src/modules/authz/consent-rules.ts';
import { decideOne } from '../../src/modules/authz/decision.ts';
import { userContext, type PurposeOfUse, type Role } from '../../src/platform/context/index.ts';
import { referenceAllows, type RefRelationship, type RefRule } from '../support/authz-reference.ts';

const now = Date.parse('2026-11-23T12:00:00Z');
const day = 86_400_000;
const roles: Role[] = [
  'patient',
  'delegate',
  'physician',
  'nurse',
  'pharmacist',
  'lab-technician',
  'radiology',
  'billing',
  'researcher',
  'admin',
  'privacy-officer',
];
const purposes = ['TREAT', 'ETREAT', 'HPAYMT', 'HOPERAT', 'HRESCH', 'PUBHLTH', 'BTG', ''];
const categories = ['demographics', 'labs', 'imaging', 'notes', 'medications', 'summary', 'administrative'];
const actions: RecordAction[] = ['read', 'search', 'history', 'create', 'update', 'delete', 'export'];
const labels = ['N', 'R', 'V', 'PSY', 'HIV', 'SUD', 'SDV', 'ETH'];
const practitioners = ['pr-a', 'pr-b'];
const institutions = ['north', 'south'];
const patients = ['pt-1', 'pt-2'];

const time = fc.option(
  fc.integer({ min: -800, max: 800 }).map((d) => now + d * day),
  { nil: undefined },
);
const ruleArb: fc.Arbitrary<RefRule> = fc.record({
  status: fc.constantFrom('active', 'active', 'inactive'),
  effect: fc.constantFrom('permit', 'deny'),
  actors: fc.subarray([
    'Practitioner/pr-a',
    'Organization/north',
    'Organization/south',
    'CareTeam/team-1',
    'Practitioner/pr-b',
  ]),
  purposes: fc.subarray(['TREAT', 'ETREAT', 'HPAYMT', 'HRESCH']),
  categories: fc.subarray(categories.slice(0, 6)),
  labels: fc.subarray(['R', 'V', 'PSY', 'HIV', 'SUD']),
  research: fc.boolean(),
  start: time,
  end: time,
}) as fc.Arbitrary<RefRule>;
const relArb: fc.Arbitrary<RefRelationship> = fc.record({
  kind: fc.constantFrom('care-team', 'encounter', 'order'),
  member: fc.constantFrom('Practitioner/pr-a', 'Practitioner/pr-b'),
  team: fc.constant('team-1'),
  category: fc.constantFrom('labs', 'imaging'),
  active: fc.boolean(),
  start: time,
  end: time,
}) as fc.Arbitrary<RefRelationship>;

const scenario = fc.record({
  role: fc.constantFrom(...roles),
  institution: fc.constantFrom(...institutions),
  practitioner: fc.constantFrom(...practitioners),
  patientOf: fc.constantFrom('', ...patients),
  delegations: fc.subarray(patients),
  purpose: fc.constantFrom(...purposes),
  action: fc.constantFrom(...actions),
  type: fc.constantFrom('Observation', 'Consent', 'Patient', 'DocumentReference'),
  resPatient: fc.constantFrom(...patients),
  resInstitution: fc.constantFrom(...institutions),
  category: fc.constantFrom(...categories),
  security: fc.subarray(labels, { minLength: 1, maxLength: 3 }),
  renal: fc.boolean(),
  rules: fc.array(ruleArb, { maxLength: 5 }),
  rels: fc.array(relArb, { maxLength: 4 }),
  grant: fc.boolean(),
});

describe('the policy never permits what an independent reading of SPEC §3 denies', () => {
  let set: LoadedPolicySet;
  beforeAll(async () => {
    set = await loadPolicySet();
  });

  it('random principals, purposes, consents, relationships and requests (Cedar pipeline)', () => {
    let allowed = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const ctx = userContext({
          requestId: 'prop',
          subject: 'u',
          roles: [s.role],
          institution: s.institution,
          practitionerId: s.practitioner,
          patientId: s.role === 'patient' && s.patientOf ? s.patientOf : undefined,
          delegations: s.role === 'delegate' ? s.delegations : [],
          purpose: (s.purpose || undefined) as PurposeOfUse | undefined,
        });
        const rules: ConsentRule[] = s.rules.map((x, seq) => ({
          consentId: `c${seq}`,
          seq,
          patientId: s.resPatient,
          status: x.status,
          effect: x.effect,
          actors: x.actors,
          purposes: x.purposes,
          categories: x.categories,
          labels: x.labels,
          research: x.research,
          periodStart: x.start === undefined ? undefined : new Date(x.start),
          periodEnd: x.end === undefined ? undefined : new Date(x.end),
        }));
        const rels: CareRelationship[] = s.rels.map((x, seq) => ({
          sourceType: x.kind,
          sourceId: `s${seq}`,
          seq,
          patientId: s.resPatient,
          kind: x.kind,
          member: x.member,
          category: x.kind === 'order' ? x.category : undefined,
          careTeamId: x.kind === 'care-team' ? x.team : undefined,
          active: x.active,
          periodStart: x.start === undefined ? undefined : new Date(x.start),
          periodEnd: x.end === undefined ? undefined : new Date(x.end),
        }));
        const at = new Date(now);
        const rel = relationshipView(rels, ctx.practitionerId, at);
        const grantActive =
          s.grant &&
          ['BTG', 'ETREAT'].includes(s.purpose) &&
          ['physician', 'nurse', 'pharmacist', 'lab-technician', 'radiology'].includes(s.role);
        const view = {
          rel,
          consent: consentView(
            rules,
            { practitionerId: ctx.practitionerId, institution: ctx.institution, careTeams: rel.careTeams },
            ctx.purpose,
            at,
          ),
          grant: grantActive
            ? { grantId: 'g', justification: 'j', expiresAt: new Date(now + day) }
            : undefined,
        };
        const facts = {
          resourceType: s.type,
          id: 'x',
          patientId: s.resPatient,
          institutionId: s.resInstitution,
          category: s.category,
          security: s.security,
          ...(s.renal ? { codes: ['2160-0'] } : {}),
        };
        const decision = decideOne(set, ctx, s.action, facts, view);
        const expected = referenceAllows(
          {
            role: s.role,
            institution: s.institution,
            practitioner: s.practitioner,
            patient: ctx.patientId ?? '',
            delegations: [...ctx.delegations],
          },
          s.purpose,
          s.action,
          {
            type: s.type,
            patient: s.resPatient,
            institution: s.resInstitution,
            category: s.category,
            security: s.security,
            renal: s.renal,
          },
          s.rules,
          s.rels,
          grantActive,
          now,
        );
        if (decision.allow) allowed++;
        // Soundness is the security property; completeness shows the two readings agree.
        expect(decision.allow, JSON.stringify({ s, decision })).toBe(expected);
      }),
      { numRuns: 3000, seed: 20261123 },
    );
    expect(allowed).toBeGreaterThan(50);
  });
});
