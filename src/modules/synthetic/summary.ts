import { coding, concept, fhirDate, instant, quantity, reference, system } from './fhir.ts';
import { addResource, encounterRef, patientRef, staffRef, type PatientContext } from './patient-context.ts';
import { addDays, between, chance, pick } from './random.ts';
import { allergies, conditions, medications, type MedicationKey } from './terminology.ts';

/** Problem-list Conditions coded in SNOMED CT and ICD-10-CM, recorded at the first visit. */
export function addConditions(ctx: PatientContext): void {
  const { faker } = ctx;
  const first = ctx.encounters[0];
  if (!first) return;
  for (const key of ctx.profile.conditions) {
    const def = conditions[key];
    let onset = addDays(first.start, -between(faker, 30, 5 * 365));
    if (onset < addDays(ctx.birthDate, 365)) onset = addDays(ctx.birthDate, 365);
    const condition = addResource(ctx, 'Condition', 'cond', first.end, {
      clinicalStatus: concept(system.conditionClinical, 'active', 'Active'),
      verificationStatus: concept(system.conditionVerification, 'confirmed', 'Confirmed'),
      category: [concept(system.conditionCategory, 'problem-list-item', 'Problem List Item')],
      code: {
        coding: [
          coding(system.snomed, def.snomed[0], def.snomed[1]),
          coding(system.icd10cm, def.icd10[0], def.icd10[1]),
        ],
        text: def.snomed[1],
      },
      subject: patientRef(ctx),
      encounter: encounterRef(first),
      onsetDateTime: fhirDate(onset),
      recordedDate: instant(first.end),
      recorder: staffRef(ctx.team.physician),
    });
    ctx.conditionIds[key] = condition.id;
  }
}

export function addAllergies(ctx: PatientContext): void {
  const first = ctx.encounters[0];
  if (!first) return;
  for (const key of ctx.profile.allergies) {
    const def = allergies[key];
    addResource(ctx, 'AllergyIntolerance', 'alg', first.end, {
      clinicalStatus: concept(system.allergyClinical, 'active', 'Active'),
      verificationStatus: concept(system.allergyVerification, 'confirmed', 'Confirmed'),
      type: 'allergy',
      category: [def.category],
      criticality: def.criticality,
      code: concept(system.snomed, def.snomed[0], def.snomed[1]),
      patient: patientRef(ctx),
      encounter: encounterRef(first),
      recordedDate: instant(first.end),
      recorder: staffRef(ctx.team.physician),
      reaction: [
        { manifestation: [concept(system.snomed, def.reaction[0], def.reaction[1])], severity: def.severity },
      ],
    });
  }
}

function dosage(key: MedicationKey) {
  const def = medications[key];
  const [frequency, period, periodUnit] = def.timing;
  return {
    text: def.dosage,
    timing: { repeat: { frequency, period, periodUnit } },
    asNeededBoolean: def.asNeeded,
    route: concept(system.snomed, def.route[0], def.route[1]),
    doseAndRate: [{ doseQuantity: quantity(def.dose[0], def.dose[1], def.dose[2]) }],
  };
}

/**
 * A MedicationRequest (RxNorm) for each treated condition, prescribed by the care-team physician; some
 * patients also report an over-the-counter MedicationStatement.
 */
export function addMedications(ctx: PatientContext): void {
  const { faker } = ctx;
  const first = ctx.encounters[0];
  if (!first) return;
  const prescribed = new Set<MedicationKey>();
  for (const condition of ctx.profile.conditions) {
    const choices = conditions[condition].medications;
    if (choices.length === 0) continue;
    const key = choices.length === 1 ? (choices[0] as MedicationKey) : pick(faker, choices);
    if (prescribed.has(key)) continue;
    prescribed.add(key);
    const encounter = pick(
      faker,
      ctx.encounters.filter((e) => e.reason === condition || e.labs),
    );
    const def = medications[key];
    const reasonId = ctx.conditionIds[condition];
    addResource(ctx, 'MedicationRequest', 'mr', encounter.end, {
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: concept(system.rxnorm, def.rxnorm[0], def.rxnorm[1]),
      subject: patientRef(ctx),
      encounter: encounterRef(encounter),
      authoredOn: instant(encounter.end),
      requester: staffRef(ctx.team.physician),
      ...(reasonId ? { reasonReference: [reference('Condition', reasonId)] } : {}),
      dosageInstruction: [{ sequence: 1, ...dosage(key) }],
      dispenseRequest: {
        numberOfRepeatsAllowed: 3,
        expectedSupplyDuration: { value: 30, unit: 'days', system: system.ucum, code: 'd' },
      },
    });
  }
  if (ctx.profile.age >= 12 && chance(faker, 0.4)) {
    const key = pick(faker, ['acetaminophen', 'ibuprofen'] as const);
    const def = medications[key];
    const asserted = pick(faker, ctx.encounters);
    addResource(ctx, 'MedicationStatement', 'ms', asserted.end, {
      status: 'active',
      medicationCodeableConcept: concept(system.rxnorm, def.rxnorm[0], def.rxnorm[1]),
      subject: patientRef(ctx),
      context: encounterRef(asserted),
      effectivePeriod: { start: fhirDate(addDays(asserted.start, -between(faker, 7, 400))) },
      dateAsserted: instant(asserted.end),
      informationSource: patientRef(ctx),
      dosage: [dosage(key)],
    });
  }
}
