import { coding, concept, fhirDate, instant, system } from './fhir.ts';
import {
  addResource,
  addResourceWithId,
  careRoles,
  nextId,
  organizationRef,
  patientName,
  patientRef,
  staffRef,
  type CareRole,
  type EncounterInfo,
  type PatientContext,
} from './patient-context.ts';
import { addDays, addHours, between, chance, workingTime } from './random.ts';
import { conditions, encounterKinds, type ConditionKey } from './terminology.ts';
import type { StaffRole } from './world.ts';

const roleDisplay: Record<StaffRole, string> = {
  physician: 'Physician',
  nurse: 'Nurse',
  pharmacist: 'Pharmacist',
  'lab-technician': 'Laboratory technician',
  radiology: 'Radiology',
  billing: 'Billing',
  researcher: 'Researcher',
  admin: 'Institution administrator',
  'privacy-officer': 'Privacy officer',
};

/** The carebase role code, so that CareTeam and PractitionerRole name the same roles as the tokens do. */
export function roleConcept(role: StaffRole) {
  return concept(system.carebaseRole, role, roleDisplay[role]);
}

const psychiatric: ConditionKey[] = ['depression', 'anxiety'];
const substanceUse: ConditionKey[] = ['opioidUse', 'alcoholUse'];

/**
 * Lays out the patient's timeline: lab visits 3–10 months apart ending within the last months, plus
 * emergency, inpatient and specialty follow-up encounters in between. Only ids and dates; no resources yet.
 */
export function planEncounters(ctx: PatientContext): void {
  const { faker, profile, world } = ctx;
  const gaps = Array.from({ length: profile.labVisits - 1 }, () => between(faker, 90, 300));
  const span = gaps.reduce((a, b) => a + b, 0) + between(faker, 7, 120);
  const planned: Omit<EncounterInfo, 'id'>[] = [];
  // Young children cannot have visits before they were born.
  const daysAlive = Math.floor((world.referenceDate.getTime() - ctx.birthDate.getTime()) / 86_400_000);
  const visit = (kind: EncounterInfo['kind'], daysAgo: number, labs: boolean, reason?: ConditionKey) => {
    const start = workingTime(faker, world.referenceDate, Math.min(daysAgo, daysAlive - 14));
    planned.push({
      kind,
      start,
      end: addHours(start, encounterKinds[kind].hours),
      labs,
      ...(reason ? { reason } : {}),
    });
  };
  let daysAgo = span;
  for (let v = 0; v < profile.labVisits; v++) {
    visit(v === 0 ? 'checkUp' : 'followUp', daysAgo, true);
    daysAgo -= gaps[v] ?? 0;
  }
  if (chance(faker, 0.08)) visit('emergency', between(faker, 3, span), false);
  if (profile.age >= 18 && chance(faker, 0.04)) visit('inpatient', between(faker, 5, span), false);
  const specialty = profile.conditions.find(
    (c) => psychiatric.includes(c) || substanceUse.includes(c) || c === 'hiv',
  );
  if (specialty) visit('followUp', between(faker, 3, span), false, specialty);
  planned.sort((a, b) => a.start.getTime() - b.start.getTime());
  ctx.encounters = planned.map((e) => ({ ...e, id: nextId(ctx, 'enc') }));
}

export function addEncounters(ctx: PatientContext): void {
  for (const encounter of ctx.encounters) {
    const kind = encounterKinds[encounter.kind];
    const period = { start: instant(encounter.start), end: instant(encounter.end) };
    const reason = encounter.reason ? conditions[encounter.reason] : undefined;
    addResourceWithId(ctx, 'Encounter', encounter.id, encounter.end, {
      status: 'finished',
      class: coding(system.actCode, kind.classCode, kind.classDisplay),
      type: [concept(system.snomed, kind.type[0], kind.type[1])],
      subject: patientRef(ctx),
      participant: [
        {
          type: [concept(system.participationType, 'PPRF', 'primary performer')],
          individual: staffRef(ctx.team.physician),
          period,
        },
        {
          type: [concept(system.participationType, 'PART', 'Participation')],
          individual: staffRef(ctx.team.nurse),
          period,
        },
      ],
      period,
      ...(reason
        ? {
            reasonCode: [
              {
                coding: [coding(system.snomed, ...reason.snomed), coding(system.icd10cm, ...reason.icd10)],
                text: reason.snomed[1],
              },
            ],
          }
        : {}),
      serviceProvider: organizationRef(ctx.institution),
    });
  }
}

/**
 * The active care team (one member per clinical role) and, for some patients, an ended care relationship:
 * an inactive CareTeam whose period ended before the current team took over.
 */
export function addCareTeams(ctx: PatientContext): void {
  const { faker } = ctx;
  const first = ctx.encounters[0]?.start ?? ctx.world.referenceDate;
  const earliest = addDays(ctx.birthDate, 1);
  let activeSince = addDays(first, -between(faker, 0, 5 * 365));
  if (ctx.formerPhysician) {
    const ended = addDays(first, -between(faker, 10, 200));
    const started = addDays(ended, -between(faker, 365, 6 * 365));
    const period = {
      start: fhirDate(started < earliest ? earliest : started),
      end: fhirDate(ended < earliest ? addDays(earliest, 1) : ended),
    };
    addResource(ctx, 'CareTeam', 'ct', ended, {
      status: 'inactive',
      category: [concept(system.loinc, 'LA28865-6', 'Longitudinal care-coordination focused care team')],
      name: `Former care team of ${patientName(ctx)}`,
      subject: patientRef(ctx),
      period,
      participant: [
        {
          role: [roleConcept('physician')],
          member: staffRef(ctx.formerPhysician),
          onBehalfOf: organizationRef(ctx.institution),
          period,
        },
      ],
      managingOrganization: [organizationRef(ctx.institution)],
    });
    activeSince = addDays(ended, 1);
  }
  if (activeSince < earliest) activeSince = earliest;
  const period = { start: fhirDate(activeSince) };
  const team = addResource(ctx, 'CareTeam', 'ct', activeSince, {
    status: 'active',
    category: [concept(system.loinc, 'LA28865-6', 'Longitudinal care-coordination focused care team')],
    name: `Care team of ${patientName(ctx)}`,
    subject: patientRef(ctx),
    period,
    participant: careRoles.map((role: CareRole) => ({
      role: [roleConcept(role)],
      member: staffRef(ctx.team[role]),
      onBehalfOf: organizationRef(ctx.institution),
      period,
    })),
    managingOrganization: [organizationRef(ctx.institution)],
  });
  ctx.careTeamId = team.id;
}
