import type { Faker } from '@faker-js/faker';
import type { Role } from '../../platform/context/index.ts';
import type { NamedPatient } from './profile.ts';
import { createFaker, reseed, sex, stream } from './random.ts';

export type StaffRole = Exclude<Role, 'patient' | 'delegate'>;

export interface StaffMember {
  role: StaffRole;
  /** 1-based position among the institution's staff of this role. */
  ordinal: number;
  practitionerId: string;
  practitionerRoleId: string;
  given: string;
  family: string;
  gender: 'male' | 'female';
  /** Demo worlds only: the login of this staff member. */
  username?: string;
}

export interface Institution {
  id: string;
  name: string;
  /** Short lowercase name used in demo usernames, e.g. `northwind`. */
  slug: string;
  index: number;
  staff: StaffMember[];
}

/** Everything that is shared by all patients of one seeding run. */
export interface World {
  seed: number;
  /** Prefix of every generated id, derived from the seed so that different seeds never collide. */
  tag: string;
  demo: boolean;
  referenceDate: Date;
  institutions: Institution[];
  /** Hand-written demo patients, generated at indices 0..n-1; empty outside the demo. */
  namedPatients: NamedPatient[];
  faker: Faker;
}

/** Staff per institution in a generated (non-demo) world: enough to spread thousands of patients. */
export const generatedStaffCounts: Record<StaffRole, number> = {
  physician: 8,
  nurse: 10,
  pharmacist: 2,
  'lab-technician': 3,
  radiology: 2,
  billing: 1,
  researcher: 1,
  admin: 1,
  'privacy-officer': 1,
};

export function seedTag(seed: number): string {
  return `s${seed.toString(36)}`;
}

export function patientId(world: World, index: number): string {
  return `${world.tag}-pt-${index}`;
}

export function institutionForPatient(world: World, index: number): Institution {
  const named = world.namedPatients[index];
  const institution = named
    ? world.institutions.find((i) => i.slug === named.institution)
    : world.institutions[index % world.institutions.length];
  if (!institution) throw new Error(`No institution for patient ${index}`);
  return institution;
}

export function staffOf(institution: Institution, role: StaffRole): StaffMember[] {
  return institution.staff.filter((s) => s.role === role);
}

/** Builds an institution's staff list from the institution's random stream (the caller has reseeded it). */
export function buildInstitution(
  faker: Faker,
  fields: { id: string; name: string; slug: string; index: number },
  counts: Record<StaffRole, number>,
  usernames: boolean,
): Institution {
  const staff: StaffMember[] = [];
  for (const [role, count] of Object.entries(counts) as [StaffRole, number][]) {
    for (let ordinal = 1; ordinal <= count; ordinal++) {
      const gender = sex(faker);
      const practitionerId = `${fields.id}-${role}-${ordinal}`;
      staff.push({
        role,
        ordinal,
        practitionerId,
        practitionerRoleId: `${practitionerId}-role`,
        given: faker.person.firstName(gender),
        family: faker.person.lastName(),
        gender,
        ...(usernames ? { username: `${role}${ordinal === 1 ? '' : ordinal}@${fields.slug}` } : {}),
      });
    }
  }
  return { ...fields, staff };
}

export function buildGeneratedWorld(seed: number, institutionCount: number, referenceDate: Date): World {
  const faker = createFaker();
  const tag = seedTag(seed);
  const institutions: Institution[] = [];
  for (let index = 0; index < institutionCount; index++) {
    reseed(faker, seed, stream.institution, index);
    const city = faker.location.city();
    const name = `${city} ${faker.helpers.arrayElement(['General Hospital', 'Medical Center', 'Community Clinic', 'Health System'])}`;
    const id = `${tag}-org-${index}`;
    institutions.push(buildInstitution(faker, { id, name, slug: id, index }, generatedStaffCounts, false));
  }
  return { seed, tag, demo: false, referenceDate, institutions, namedPatients: [], faker };
}
