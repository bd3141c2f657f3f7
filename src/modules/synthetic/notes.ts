import type { SensitivityLabel } from '../records/index.ts';
import { base64, coding, concept, instant, system } from './fhir.ts';
import {
  addResource,
  ageAt,
  encounterRef,
  labVisits,
  organizationRef,
  patientName,
  patientRef,
  staffName,
  staffRef,
  type EncounterInfo,
  type PatientContext,
} from './patient-context.ts';
import { between, chance, pick } from './random.ts';
import { conditions, medications, noteTypes, type ConditionKey } from './terminology.ts';
import type { StaffMember } from './world.ts';

type NoteType = (typeof noteTypes)[keyof typeof noteTypes];

interface NoteSpec {
  type: NoteType;
  encounter: EncounterInfo;
  author: StaffMember;
  subjective: string;
  /** Labels the author declares in `meta.security`; classification adds whatever the codes imply. */
  declared?: SensitivityLabel[];
  psychiatry?: boolean;
}

const complaints = [
  'chest pain',
  'shortness of breath',
  'abdominal pain',
  'wrist pain after a fall',
  'fever and cough',
];
const admissions = [
  'community-acquired pneumonia',
  'cellulitis of the left leg',
  'dehydration and acute kidney injury',
];

function problemList(ctx: PatientContext): string {
  const names = ctx.profile.conditions.map((c) => `${conditions[c].snomed[1]} (${conditions[c].icd10[0]})`);
  return names.length > 0 ? names.map((n) => `- ${n}`).join('\n') : '- No active problems.';
}

function planLines(ctx: PatientContext): string {
  const meds = ctx.profile.conditions.flatMap((c) => conditions[c].medications.slice(0, 1));
  const lines = [...new Set(meds)].map(
    (m) => `- Continue ${medications[m].rxnorm[1]}: ${medications[m].dosage.toLowerCase()}.`,
  );
  lines.push(`- Follow up in ${between(ctx.faker, 2, 12)} weeks; repeat labs before the visit.`);
  return lines.join('\n');
}

function noteText(ctx: PatientContext, spec: NoteSpec): string {
  const results = ctx.resultLines.get(spec.encounter.id) ?? [];
  return [
    spec.type[1],
    `Date: ${instant(spec.encounter.start)}`,
    `Patient: ${patientName(ctx)}, ${ageAt(ctx, spec.encounter.start)}-year-old ${ctx.profile.gender}`,
    `Author: ${staffName(spec.author)}, ${ctx.institution.name}`,
    '',
    `Subjective:\n${spec.subjective}`,
    '',
    `Objective:\n${results.length > 0 ? results.map((r) => `- ${r}`).join('\n') : '- No new results at this visit.'}`,
    '',
    `Assessment:\n${problemList(ctx)}`,
    '',
    `Plan:\n${planLines(ctx)}`,
    '',
  ].join('\n');
}

function addNote(ctx: PatientContext, spec: NoteSpec): void {
  const { encounter } = spec;
  const text = noteText(ctx, spec);
  const note = addResource(ctx, 'DocumentReference', 'doc', encounter.end, {
    status: 'current',
    docStatus: 'final',
    type: concept(system.loinc, spec.type[0], spec.type[1]),
    category: [concept(system.documentCategory, 'clinical-note', 'Clinical Note')],
    subject: patientRef(ctx),
    date: instant(encounter.end),
    author: [staffRef(spec.author)],
    custodian: organizationRef(ctx.institution),
    description: spec.type[1],
    content: [
      {
        attachment: {
          contentType: 'text/plain; charset=utf-8',
          language: 'en-US',
          data: base64(text),
          title: `${spec.type[1]} ${instant(encounter.start).slice(0, 10)}`,
          creation: instant(encounter.end),
        },
      },
    ],
    context: {
      encounter: [encounterRef(encounter)],
      period: { start: instant(encounter.start), end: instant(encounter.end) },
      ...(spec.psychiatry ? { practiceSetting: concept(system.snomed, '394587001', 'Psychiatry') } : {}),
    },
  });
  if (spec.declared) {
    note.meta.security = [
      coding(system.confidentiality, 'R', 'restricted'),
      ...spec.declared.map((label) => coding(system.actCode, label)),
    ];
  }
}

function specialtySubjective(
  ctx: PatientContext,
  reason: ConditionKey,
): Omit<NoteSpec, 'encounter' | 'author'> {
  const { faker } = ctx;
  switch (reason) {
    case 'depression':
    case 'anxiety':
      return {
        type: noteTypes.psychiatryProgress,
        subjective: `Follow-up for ${conditions[reason].snomed[1].toLowerCase()}. Reports ${pick(faker, ['low', 'improving', 'stable'])} mood and ${pick(faker, ['poor', 'fair', 'good'])} sleep. PHQ-9 score ${between(faker, 5, 19)}, GAD-7 score ${between(faker, 4, 16)}. Denies suicidal ideation. Engaged in weekly cognitive behavioural therapy.`,
        declared: ['PSY'],
        psychiatry: true,
      };
    case 'opioidUse':
      return {
        type: noteTypes.progress,
        subjective: `Addiction medicine follow-up. Stable on buprenorphine/naloxone; no illicit opioid use since last visit. Urine drug screen consistent with prescribed therapy. Naloxone kit on hand.`,
        declared: ['SUD'],
      };
    case 'alcoholUse':
      return {
        type: noteTypes.progress,
        subjective: `Addiction medicine follow-up. Reports ${between(faker, 20, 300)} days without alcohol; receiving monthly naltrexone injections. Attends peer support meetings.`,
        declared: ['SUD'],
      };
    default:
      return {
        type: noteTypes.progress,
        subjective:
          'HIV care follow-up. Adherent to antiretroviral therapy with no missed doses reported. No opportunistic infections.',
        declared: ['HIV'],
      };
  }
}

/** Clinical notes (LOINC note types) with plain-text bodies that quote the visit's results. */
export function addNotes(ctx: PatientContext): void {
  const { faker } = ctx;
  const visits = labVisits(ctx);
  const physician = ctx.team.physician;
  const first = visits[0];
  if (first) {
    addNote(ctx, {
      type: noteTypes.historyAndPhysical,
      encounter: first,
      author: physician,
      subjective: 'Presents to establish care and for an annual check-up.',
    });
  }
  const last = visits[visits.length - 1];
  if (last && last !== first) {
    const followed = ctx.profile.conditions
      .filter((c) => conditions[c].medications.length > 0)
      .map((c) => conditions[c].snomed[1].toLowerCase());
    addNote(ctx, {
      type: noteTypes.progress,
      encounter: last,
      author: physician,
      subjective:
        followed.length > 0
          ? `Returns for follow-up of ${followed.join(', ')}.`
          : 'Returns for a routine follow-up; no new complaints.',
    });
  }
  if (visits.length > 0 && chance(faker, 0.3)) {
    addNote(ctx, {
      type: noteTypes.nurse,
      encounter: pick(faker, visits),
      author: ctx.team.nurse,
      subjective: 'Vital signs taken; medication reconciliation completed with the patient.',
    });
  }
  for (const encounter of ctx.encounters) {
    if (encounter.kind === 'emergency') {
      addNote(ctx, {
        type: noteTypes.progress,
        encounter,
        author: physician,
        subjective: `Presents to the emergency department with ${pick(faker, complaints)}.`,
      });
    } else if (encounter.kind === 'inpatient') {
      addNote(ctx, {
        type: noteTypes.discharge,
        encounter,
        author: physician,
        subjective: `Admitted for ${pick(faker, admissions)}; improved and discharged home.`,
      });
    } else if (encounter.reason) {
      addNote(ctx, { ...specialtySubjective(ctx, encounter.reason), encounter, author: physician });
    }
  }
  if (first && ctx.profile.conditions.includes('partnerAbuse')) {
    addNote(ctx, {
      type: noteTypes.consult,
      encounter: first,
      author: ctx.team.nurse,
      subjective:
        'Patient disclosed physical abuse by a partner. Safety plan discussed; domestic violence support resources provided.',
      declared: ['SDV'],
    });
  }
}
