import { deriveSecurityLabels, securityLabelCodings } from '../records/index.ts';
import { addCareTeams, addEncounters, planEncounters } from './care.ts';
import { addConsents } from './consents.ts';
import { coding, concept, fhirDate, fhirResource, system, type FhirResource } from './fhir.ts';
import { addImaging } from './imaging.ts';
import { addLabs } from './labs.ts';
import { addNotes } from './notes.ts';
import {
  careRoles,
  organizationRef,
  staffRef,
  type CareRole,
  type PatientContext,
} from './patient-context.ts';
import { randomProfile, type PatientProfile } from './profile.ts';
import { addDays, between, pick, reseed, stream } from './random.ts';
import { addAllergies, addConditions, addMedications } from './summary.ts';
import { institutionForPatient, patientId, staffOf, type StaffMember, type World } from './world.ts';

export interface GeneratedPatient {
  index: number;
  patientId: string;
  institutionId: string;
  name: string;
  /** Members of the active care team. */
  careTeam: StaffMember[];
  /** Current version of every resource in the patient's compartment, security labels applied. */
  resources: FhirResource[];
  /** Superseded versions (history only). */
  priorVersions: FhirResource[];
}

/**
 * Generates patient `index` of the world: the same output for the same seed and index, independent of
 * batch size and of every other patient, because the random stream is reseeded from `[seed, index]`.
 */
export function generatePatient(world: World, index: number): GeneratedPatient {
  const { faker } = world;
  reseed(faker, world.seed, stream.patient, index);
  const institution = institutionForPatient(world, index);
  const named = world.namedPatients[index];
  const profile: PatientProfile = named
    ? named.profile
    : randomProfile(faker, index, world.institutions.length);
  const given = profile.name?.given ?? faker.person.firstName(profile.gender);
  const family = profile.name?.family ?? faker.person.lastName();
  const birthDate = addDays(world.referenceDate, -(profile.age * 365.25 + between(faker, 10, 350)));

  // Named demo patients get the first member of each role (the demo logins); others a random one.
  const choose = (members: StaffMember[]): StaffMember =>
    (named ? members[0] : pick(faker, members)) as StaffMember;
  const team = Object.fromEntries(
    careRoles.map((role) => [role, choose(staffOf(institution, role))]),
  ) as Record<CareRole, StaffMember>;
  const physicians = staffOf(institution, 'physician').filter((p) => p !== team.physician);
  const formerPhysician = profile.endedCareTeam ? choose(physicians) : undefined;

  const ctx: PatientContext = {
    world,
    faker,
    index,
    id: patientId(world, index),
    institution,
    profile,
    given,
    family,
    birthDate,
    team,
    careTeamId: '',
    formerPhysician,
    encounters: [],
    conditionIds: {},
    resultLines: new Map(),
    resources: [],
    priorVersions: [],
    counters: new Map(),
  };
  planEncounters(ctx);
  ctx.resources.push(patientResource(ctx));
  addCareTeams(ctx);
  addEncounters(ctx);
  addConditions(ctx);
  addAllergies(ctx);
  addLabs(ctx);
  addImaging(ctx);
  addMedications(ctx);
  addNotes(ctx);
  addConsents(ctx);
  for (const resource of [...ctx.resources, ...ctx.priorVersions]) applySecurityLabels(resource);

  return {
    index,
    patientId: ctx.id,
    institutionId: institution.id,
    name: `${given} ${family}`,
    careTeam: careRoles.map((role) => team[role]),
    resources: ctx.resources,
    priorVersions: ctx.priorVersions,
  };
}

/** The body states what the `security` column will hold: derived labels replace the declared ones. */
export function applySecurityLabels(resource: FhirResource): void {
  const labels = deriveSecurityLabels(resource);
  if (labels.length === 1 && labels[0] === 'N') delete resource.meta.security;
  else resource.meta.security = securityLabelCodings(labels);
}

function patientResource(ctx: PatientContext): FhirResource {
  const { faker, profile, institution } = ctx;
  const delegate = profile.delegate;
  const relationship = [coding(system.contactRelationship, 'N', 'Next-of-Kin')];
  if (delegate?.relationship === 'parent') relationship.push(coding(system.roleCode, 'PRN', 'parent'));
  // Registered shortly before the first visit.
  const firstVisit = ctx.encounters[0]?.start ?? ctx.world.referenceDate;
  const registered = addDays(firstVisit, -between(faker, 1, 60));
  return fhirResource('Patient', ctx.id, registered < ctx.birthDate ? ctx.birthDate : registered, {
    identifier: [
      {
        use: 'usual',
        type: concept('http://terminology.hl7.org/CodeSystem/v2-0203', 'MR', 'Medical record number'),
        system: `${system.mrn}/${institution.id}`,
        value: `MRN${faker.string.numeric(8)}`,
      },
    ],
    active: true,
    name: [{ use: 'official', family: ctx.family, given: [ctx.given] }],
    telecom: [
      { system: 'phone', value: faker.phone.number({ style: 'national' }), use: 'mobile' },
      {
        system: 'email',
        value: faker.internet.email({ firstName: ctx.given, lastName: ctx.family }).toLowerCase(),
        use: 'home',
      },
    ],
    gender: profile.gender,
    birthDate: fhirDate(ctx.birthDate),
    address: [
      {
        use: 'home',
        line: [faker.location.streetAddress()],
        city: faker.location.city(),
        state: faker.location.state({ abbreviated: true }),
        postalCode: faker.location.zipCode('#####'),
        country: 'US',
      },
    ],
    ...(delegate
      ? {
          contact: [
            {
              relationship: [{ coding: relationship }],
              name: { use: 'official', family: delegate.family ?? ctx.family, given: [delegate.given] },
              gender: delegate.gender,
            },
          ],
        }
      : {}),
    generalPractitioner: [staffRef(ctx.team.physician)],
    managingOrganization: organizationRef(institution),
  });
}
