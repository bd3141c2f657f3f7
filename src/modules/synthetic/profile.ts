import type { Faker } from '@faker-js/faker';
import type { RecordCategory, SensitivityLabel } from '../records/index.ts';
import { between, chance, pick, sex } from './random.ts';
import type { AllergyKey, AnalyteKey, ConditionKey, ImagingKey } from './terminology.ts';

/** The patient's consent directives (SPEC §2 Consent), turned into FHIR Consent resources. */
export type ConsentSpec =
  /** Another institution may read these categories for treatment. */
  | { kind: 'permit-other-institution'; categories: RecordCategory[] }
  /** The same permit, later revoked: version 1 active, version 2 inactive. */
  | { kind: 'revoked-other-institution'; categories: RecordCategory[] }
  /** The patient's own care team may not read these categories. */
  | { kind: 'deny-care-team'; categories: RecordCategory[] }
  /** Explicit consent for the care team to read restricted data carrying these labels. */
  | { kind: 'permit-restricted-to-care-team'; labels: SensitivityLabel[] }
  /** Research opt-in (purpose HRESCH). */
  | { kind: 'research-opt-in' };

export interface DelegateSpec {
  given: string;
  /** Defaults to the patient's family name. */
  family?: string;
  gender: 'male' | 'female';
  relationship: 'parent' | 'guardian' | 'proxy';
}

/** What a patient's record contains; drawn at random, or written by hand for the named demo patients. */
export interface PatientProfile {
  gender: 'male' | 'female';
  age: number;
  name?: { given: string; family: string };
  conditions: ConditionKey[];
  allergies: AllergyKey[];
  imaging: ImagingKey[];
  labVisits: number;
  hivScreen: boolean;
  consents: ConsentSpec[];
  endedCareTeam: boolean;
  delegate?: DelegateSpec;
  /** Per-visit change of a lab value, overriding the drawn one (demo stories: "HbA1c keeps rising"). */
  trends?: Partial<Record<AnalyteKey, number>>;
}

/** A hand-written demo patient with a login; generated at a fixed index with a fixed care team. */
export interface NamedPatient {
  institution: string;
  username: string;
  profile: PatientProfile;
  /** Login of the delegate named in `profile.delegate`. */
  delegateUsername?: string;
}

/**
 * Restricted conditions rotate over patient indices rather than being drawn, so that every few dozen
 * patients contain each kind of sensitive record (tests and demos rely on finding them).
 */
const restrictedRotation: Partial<Record<number, ConditionKey[]>> = {
  2: ['depression'],
  6: ['opioidUse'],
  10: ['hiv'],
  14: ['depression', 'anxiety'],
  18: ['alcoholUse'],
  22: ['partnerAbuse'],
};

const denyableCategories: RecordCategory[] = ['notes', 'imaging', 'medications', 'labs'];

export function randomProfile(faker: Faker, index: number, institutionCount: number): PatientProfile {
  const gender = sex(faker);
  const minor = chance(faker, 0.15);
  const age = minor ? between(faker, 1, 17) : between(faker, 18, 92);
  const conditions: ConditionKey[] = [];
  const add = (key: ConditionKey, probability: number) => {
    if (chance(faker, probability)) conditions.push(key);
  };
  add('asthma', 0.1);
  add('anemia', 0.05);
  if (!minor) {
    add('hypertension', age > 40 ? 0.35 : 0.08);
    add('diabetes', age > 35 ? 0.15 : 0.03);
    add('hyperlipidemia', age > 40 ? 0.25 : 0.05);
    add('ckd', age > 60 ? 0.12 : 0.01);
    add('copd', age > 50 ? 0.06 : 0);
    for (const key of restrictedRotation[index % 24] ?? []) conditions.push(key);
  }
  const allergies: AllergyKey[] = [];
  for (const [key, probability] of [
    ['penicillin', 0.1],
    ['peanut', 0.03],
    ['latex', 0.03],
    ['shellfish', 0.04],
    ['dustMite', 0.08],
  ] as const) {
    if (chance(faker, probability)) allergies.push(key);
  }
  const imaging: ImagingKey[] = [];
  if (chance(faker, 0.4))
    imaging.push(pick(faker, ['chestXray', 'chestXray', 'chestCt', 'brainMri'] as const));
  if (!minor && chance(faker, 0.1)) imaging.push(pick(faker, ['chestCt', 'brainMri'] as const));

  const restricted = conditions.some((c) =>
    ['depression', 'anxiety', 'opioidUse', 'alcoholUse', 'hiv', 'partnerAbuse'].includes(c),
  );
  const consents: ConsentSpec[] = [];
  if (institutionCount > 1 && chance(faker, 0.3))
    consents.push({ kind: 'permit-other-institution', categories: ['labs'] });
  if (institutionCount > 1 && chance(faker, 0.05))
    consents.push({ kind: 'revoked-other-institution', categories: ['labs', 'medications'] });
  if (chance(faker, 0.1))
    consents.push({ kind: 'deny-care-team', categories: [pick(faker, denyableCategories)] });
  if (restricted && chance(faker, 0.5))
    consents.push({ kind: 'permit-restricted-to-care-team', labels: ['PSY', 'SUD', 'HIV', 'SDV'] });
  if (index % 4 === 1) consents.push({ kind: 'research-opt-in' });

  const delegate: DelegateSpec | undefined = minor
    ? { given: faker.person.firstName(), gender: sex(faker), relationship: 'parent' }
    : age >= 85 && chance(faker, 0.3)
      ? { given: faker.person.firstName(), gender: sex(faker), relationship: 'proxy' }
      : undefined;

  return {
    gender,
    age,
    conditions,
    allergies,
    imaging,
    labVisits: minor ? between(faker, 1, 2) : between(faker, 3, 5),
    hivScreen: !minor && (conditions.includes('hiv') || chance(faker, 0.3)),
    consents,
    endedCareTeam: chance(faker, 0.2),
    ...(delegate ? { delegate } : {}),
  };
}
