import type { Faker } from '@faker-js/faker';
import { fhirResource, reference, type FhirResource, type Reference } from './fhir.ts';
import type { PatientProfile } from './profile.ts';
import type { ConditionKey, EncounterKind } from './terminology.ts';
import type { Institution, StaffMember, StaffRole, World } from './world.ts';

export type CareRole = Extract<
  StaffRole,
  'physician' | 'nurse' | 'pharmacist' | 'lab-technician' | 'radiology'
>;
export const careRoles: readonly CareRole[] = [
  'physician',
  'nurse',
  'pharmacist',
  'lab-technician',
  'radiology',
];

export interface EncounterInfo {
  id: string;
  kind: EncounterKind;
  start: Date;
  end: Date;
  /** Labs are drawn at check-ups and routine follow-ups. */
  labs: boolean;
  /** Why a specialty follow-up took place (psychiatry, addiction medicine, HIV care). */
  reason?: ConditionKey;
}

/** State shared by the builders while one patient's record is generated. */
export interface PatientContext {
  world: World;
  faker: Faker;
  index: number;
  id: string;
  institution: Institution;
  profile: PatientProfile;
  given: string;
  family: string;
  birthDate: Date;
  /** The active care team: one member per clinical role. */
  team: Record<CareRole, StaffMember>;
  careTeamId: string;
  formerPhysician: StaffMember | undefined;
  /** Chronological; lab visits are the `checkUp`/`followUp` ones. */
  encounters: EncounterInfo[];
  conditionIds: Partial<Record<ConditionKey, string>>;
  /** One-line lab results per encounter id, quoted by the notes written at that encounter. */
  resultLines: Map<string, string[]>;
  resources: FhirResource[];
  /** Older versions of resources (e.g. a consent before its revocation): history rows only. */
  priorVersions: FhirResource[];
  counters: Map<string, number>;
}

/** Ids like `s1-pt-42-obs-7`: deterministic, unique per patient, valid FHIR ids (≤ 64 characters). */
export function nextId(ctx: PatientContext, kind: string): string {
  const n = (ctx.counters.get(kind) ?? 0) + 1;
  ctx.counters.set(kind, n);
  return `${ctx.id}-${kind}-${n}`;
}

export function addResource(
  ctx: PatientContext,
  resourceType: string,
  kind: string,
  recordedAt: Date,
  elements: Record<string, unknown>,
): FhirResource {
  return addResourceWithId(ctx, resourceType, nextId(ctx, kind), recordedAt, elements);
}

/** For resources whose id was reserved earlier (encounters are planned before anything points at them). */
export function addResourceWithId(
  ctx: PatientContext,
  resourceType: string,
  id: string,
  recordedAt: Date,
  elements: Record<string, unknown>,
): FhirResource {
  const resource = fhirResource(resourceType, id, recordedAt, elements);
  ctx.resources.push(resource);
  return resource;
}

export function patientName(ctx: PatientContext): string {
  return `${ctx.given} ${ctx.family}`;
}

export function patientRef(ctx: PatientContext): Reference {
  return reference('Patient', ctx.id, patientName(ctx));
}

export function staffName(member: StaffMember): string {
  return `${member.role === 'physician' ? 'Dr. ' : ''}${member.given} ${member.family}`;
}

export function staffRef(member: StaffMember): Reference {
  return reference('Practitioner', member.practitionerId, staffName(member));
}

export function organizationRef(institution: Institution): Reference {
  return reference('Organization', institution.id, institution.name);
}

export function encounterRef(encounter: EncounterInfo): Reference {
  return reference('Encounter', encounter.id);
}

export function ageAt(ctx: PatientContext, date: Date): number {
  return Math.floor((date.getTime() - ctx.birthDate.getTime()) / (365.25 * 86_400_000));
}

/** Encounters at which labs are drawn, oldest first. */
export function labVisits(ctx: PatientContext): EncounterInfo[] {
  return ctx.encounters.filter((e) => e.labs);
}
