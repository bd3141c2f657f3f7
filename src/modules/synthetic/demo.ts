import type { NamedPatient, PatientProfile } from './profile.ts';
import { createFaker, reseed, stream } from './random.ts';
import { buildInstitution, seedTag, type Institution, type StaffRole, type World } from './world.ts';

/** Demo institutions, in order; the demo uses the first `institutions` of them (2 to 4). */
export const demoInstitutions = [
  { slug: 'northwind', name: 'Northwind General Hospital' },
  { slug: 'southbay', name: 'Southbay Community Health Center' },
  { slug: 'eastfield', name: 'Eastfield Medical Center' },
  { slug: 'westmere', name: 'Westmere Family Clinic' },
] as const;

/**
 * One login per staff role per institution (`physician@northwind`), plus a second physician
 * (`physician2@northwind`) whose care relationship with some patients has ended.
 */
export const demoStaffCounts: Record<StaffRole, number> = {
  physician: 2,
  nurse: 1,
  pharmacist: 1,
  'lab-technician': 1,
  radiology: 1,
  billing: 1,
  researcher: 1,
  admin: 1,
  'privacy-officer': 1,
};

const profile = (
  fields: Partial<PatientProfile> & Pick<PatientProfile, 'gender' | 'age' | 'name'>,
): PatientProfile => ({
  conditions: [],
  allergies: [],
  imaging: [],
  labVisits: 3,
  hivScreen: false,
  consents: [],
  endedCareTeam: false,
  ...fields,
});

/**
 * The named demo patients: each shows one part of the access model (SPEC §2–3). Their care team is the
 * first member of each clinical role of their institution, i.e. the demo logins.
 */
export const demoPatients: NamedPatient[] = [
  {
    // Labs shared with Southbay, research opt-in, an ended care relationship with physician2@northwind.
    institution: 'northwind',
    username: 'alice.moreau',
    profile: profile({
      name: { given: 'Alice', family: 'Moreau' },
      gender: 'female',
      age: 58,
      conditions: ['diabetes', 'hypertension'],
      allergies: ['penicillin'],
      imaging: ['chestXray'],
      labVisits: 5,
      consents: [{ kind: 'permit-other-institution', categories: ['labs'] }, { kind: 'research-opt-in' }],
      endedCareTeam: true,
      trends: { hba1c: 0.35, glucose: 8 },
    }),
  },
  {
    // Psychiatric records (PSY, R) that the care team may read because Ben consented explicitly.
    institution: 'northwind',
    username: 'ben.okafor',
    profile: profile({
      name: { given: 'Ben', family: 'Okafor' },
      gender: 'male',
      age: 34,
      conditions: ['depression', 'anxiety'],
      hivScreen: true,
      consents: [{ kind: 'permit-restricted-to-care-team', labels: ['PSY'] }],
    }),
  },
  {
    // A child whose parent (julien.moreau) holds a delegation.
    institution: 'northwind',
    username: 'carla.moreau',
    delegateUsername: 'julien.moreau',
    profile: profile({
      name: { given: 'Carla', family: 'Moreau' },
      gender: 'female',
      age: 9,
      conditions: ['asthma'],
      allergies: ['peanut'],
      imaging: ['chestXray'],
      labVisits: 2,
      delegate: { given: 'Julien', family: 'Moreau', gender: 'male', relationship: 'parent' },
    }),
  },
  {
    // Substance use disorder (SUD, R) without consent for it; imaging denied to the care team.
    institution: 'northwind',
    username: 'daniel.kowalski',
    profile: profile({
      name: { given: 'Daniel', family: 'Kowalski' },
      gender: 'male',
      age: 45,
      conditions: ['opioidUse', 'hypertension'],
      imaging: ['chestCt'],
      labVisits: 4,
      hivScreen: true,
      consents: [{ kind: 'deny-care-team', categories: ['imaging'] }],
    }),
  },
  {
    // HIV (HIV, R) without consent for it; research opt-in.
    institution: 'southbay',
    username: 'eve.tanaka',
    profile: profile({
      name: { given: 'Eve', family: 'Tanaka' },
      gender: 'female',
      age: 39,
      conditions: ['hiv'],
      labVisits: 4,
      hivScreen: true,
      consents: [{ kind: 'research-opt-in' }],
    }),
  },
  {
    // Declining kidney function over five visits; a proxy (rosa.delgado); labs shared with Northwind.
    institution: 'southbay',
    username: 'frank.delgado',
    delegateUsername: 'rosa.delgado',
    profile: profile({
      name: { given: 'Frank', family: 'Delgado' },
      gender: 'male',
      age: 81,
      conditions: ['ckd', 'hypertension', 'hyperlipidemia'],
      imaging: ['chestXray', 'brainMri'],
      labVisits: 5,
      consents: [{ kind: 'permit-other-institution', categories: ['labs'] }],
      delegate: { given: 'Rosa', family: 'Delgado', gender: 'female', relationship: 'proxy' },
      trends: { creatinine: 0.15 },
    }),
  },
  {
    // Notes denied to the care team; a permit for Northwind that she later revoked (two versions).
    institution: 'southbay',
    username: 'grace.liu',
    profile: profile({
      name: { given: 'Grace', family: 'Liu' },
      gender: 'female',
      age: 27,
      allergies: ['latex', 'shellfish'],
      consents: [
        { kind: 'deny-care-team', categories: ['notes'] },
        { kind: 'revoked-other-institution', categories: ['labs', 'medications'] },
      ],
    }),
  },
  {
    // Alcohol use disorder (SUD, R) with explicit consent; an ended care relationship with physician2@southbay.
    institution: 'southbay',
    username: 'henry.walsh',
    profile: profile({
      name: { given: 'Henry', family: 'Walsh' },
      gender: 'male',
      age: 62,
      conditions: ['alcoholUse', 'hyperlipidemia'],
      imaging: ['chestCt'],
      labVisits: 4,
      hivScreen: true,
      consents: [{ kind: 'permit-restricted-to-care-team', labels: ['SUD'] }],
      endedCareTeam: true,
    }),
  },
];

export function buildDemoWorld(seed: number, institutionCount: number, referenceDate: Date): World {
  const faker = createFaker();
  const institutions: Institution[] = demoInstitutions
    .slice(0, institutionCount)
    .map(({ slug, name }, index) => {
      reseed(faker, seed, stream.institution, index);
      return buildInstitution(faker, { id: slug, name, slug, index }, demoStaffCounts, true);
    });
  return {
    seed,
    tag: seedTag(seed),
    demo: true,
    referenceDate,
    institutions,
    namedPatients: demoPatients,
    faker,
  };
}
