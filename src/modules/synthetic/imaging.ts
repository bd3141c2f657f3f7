import { coding, concept, instant, reference, system } from './fhir.ts';
import {
  addResource,
  encounterRef,
  organizationRef,
  patientRef,
  staffRef,
  type PatientContext,
} from './patient-context.ts';
import { addHours, between, chance, dicomUid, pick } from './random.ts';
import { imagingProcedures } from './terminology.ts';

/** ImagingStudy (DICOM study, series and instance counts) plus the radiology DiagnosticReport reading it. */
export function addImaging(ctx: PatientContext): void {
  const { faker } = ctx;
  const radiologist = ctx.team.radiology;
  for (const key of ctx.profile.imaging) {
    const def = imagingProcedures[key];
    const encounter = pick(faker, ctx.encounters);
    const started = addHours(
      encounter.start,
      between(faker, 0, Math.max(0, (encounter.end.getTime() - encounter.start.getTime()) / 3_600_000 - 1)),
    );
    const modality = coding(system.dicom, def.modality[0], def.modality[1]);
    const seriesCount = between(faker, def.series[0], def.series[1]);
    const series = Array.from({ length: seriesCount }, (_, i) => ({
      uid: dicomUid(faker),
      number: i + 1,
      modality,
      description: `${def.loinc[1]} series ${i + 1}`,
      numberOfInstances: between(faker, def.instancesPerSeries[0], def.instancesPerSeries[1]),
      bodySite: coding(system.snomed, def.bodySite[0], def.bodySite[1]),
      started: instant(started),
      performer: [{ actor: staffRef(radiologist) }],
    }));
    const study = addResource(ctx, 'ImagingStudy', 'img', started, {
      identifier: [{ system: system.dicomUid, value: `urn:oid:${dicomUid(faker)}` }],
      status: 'available',
      modality: [modality],
      subject: patientRef(ctx),
      encounter: encounterRef(encounter),
      started: instant(started),
      referrer: staffRef(ctx.team.physician),
      interpreter: [staffRef(radiologist)],
      numberOfSeries: seriesCount,
      numberOfInstances: series.reduce((sum, s) => sum + s.numberOfInstances, 0),
      procedureCode: [concept(system.loinc, def.loinc[0], def.loinc[1])],
      series,
    });
    const emphysema = key === 'chestCt' && ctx.profile.conditions.includes('copd');
    const conclusion = emphysema
      ? 'Centrilobular emphysema, upper lobe predominant.'
      : chance(faker, 0.3)
        ? pick(faker, def.abnormal)
        : def.normal;
    const issued = addHours(started, between(faker, 1, 20));
    addResource(ctx, 'DiagnosticReport', 'dr', issued, {
      status: 'final',
      category: [concept(system.diagnosticService, 'RAD', 'Radiology')],
      code: concept(system.loinc, def.loinc[0], def.loinc[1]),
      subject: patientRef(ctx),
      encounter: encounterRef(encounter),
      effectiveDateTime: instant(started),
      issued: instant(issued),
      performer: [organizationRef(ctx.institution)],
      resultsInterpreter: [staffRef(radiologist)],
      imagingStudy: [reference('ImagingStudy', study.id)],
      conclusion,
    });
    const lines = ctx.resultLines.get(encounter.id) ?? [];
    lines.push(`${def.loinc[1]}: ${conclusion}`);
    ctx.resultLines.set(encounter.id, lines);
  }
}
