import { concept, instant, quantity, reference, system, type Reference } from './fhir.ts';
import {
  addResource,
  ageAt,
  encounterRef,
  labVisits,
  organizationRef,
  patientRef,
  staffRef,
  type EncounterInfo,
  type PatientContext,
} from './patient-context.ts';
import { addHours, addMinutes, between, gaussian, roundTo } from './random.ts';
import {
  analytes,
  hivScreenTest,
  panels,
  resultNegative,
  resultPositive,
  type Analyte,
  type AnalyteKey,
  type ConditionKey,
  type Panel,
} from './terminology.ts';

interface Shift {
  mean: number;
  sd: number;
  /** Change per visit: treatment bringing a value down, disease progressing. */
  slope?: number;
}

/** How conditions move a patient's baseline lab values away from the healthy population. */
const conditionShifts: Partial<Record<ConditionKey, Partial<Record<AnalyteKey, Shift>>>> = {
  diabetes: { glucose: { mean: 155, sd: 25, slope: 3 }, hba1c: { mean: 7.6, sd: 0.7, slope: 0.1 } },
  ckd: {
    creatinine: { mean: 1.7, sd: 0.2, slope: 0.12 },
    potassium: { mean: 4.8, sd: 0.3 },
    hemoglobin: { mean: 12.2, sd: 0.8 },
  },
  hyperlipidemia: {
    cholesterol: { mean: 245, sd: 25, slope: -8 },
    ldl: { mean: 165, sd: 20, slope: -9 },
    triglycerides: { mean: 190, sd: 40 },
  },
  anemia: { hemoglobin: { mean: 10.6, sd: 0.8, slope: 0.3 } },
  alcoholUse: { alt: { mean: 65, sd: 15 }, ast: { mean: 85, sd: 20 }, platelets: { mean: 160, sd: 35 } },
  hiv: { wbc: { mean: 4.6, sd: 0.8 } },
};

interface Course {
  base: number;
  slope: number;
}

/** Per-patient baseline and trend of every analyte, drawn in a fixed order so generation stays deterministic. */
function drawCourses(ctx: PatientContext): Record<AnalyteKey, Course> {
  const { faker, profile } = ctx;
  const courses = {} as Record<AnalyteKey, Course>;
  for (const key of Object.keys(analytes) as AnalyteKey[]) {
    const a: Analyte = analytes[key];
    let shift: Shift = { mean: a.mean, sd: a.sd };
    if (profile.gender === 'female' && key === 'hemoglobin') shift = { mean: 13.3, sd: 0.9 };
    if (profile.gender === 'female' && key === 'creatinine') shift = { mean: 0.78, sd: 0.1 };
    for (const condition of profile.conditions) shift = conditionShifts[condition]?.[key] ?? shift;
    const drawnBase = gaussian(faker, shift.mean, shift.sd);
    const drawnSlope = shift.slope ?? gaussian(faker, 0, a.sd * 0.08);
    courses[key] = { base: drawnBase, slope: profile.trends?.[key] ?? drawnSlope };
  }
  return courses;
}

/** CKD-EPI 2021 creatinine equation (no race term), mL/min/1.73 m². */
export function estimateGfr(creatinine: number, age: number, female: boolean): number {
  const kappa = female ? 0.7 : 0.9;
  const alpha = female ? -0.241 : -0.302;
  const ratio = creatinine / kappa;
  return (
    142 * Math.min(ratio, 1) ** alpha * Math.max(ratio, 1) ** -1.2 * 0.9938 ** age * (female ? 1.012 : 1)
  );
}

function interpretation(value: number, range: { low?: number; high?: number }) {
  const [code, display] =
    range.low !== undefined && value < range.low
      ? ['L', 'Low']
      : range.high !== undefined && value > range.high
        ? ['H', 'High']
        : ['N', 'Normal'];
  return [concept(system.interpretation, code, display)];
}

interface Draw {
  ctx: PatientContext;
  visit: EncounterInfo;
  collected: Date;
  issued: Date;
}

function observationElements(draw: Draw, code: { loinc: string; display: string }) {
  const { ctx } = draw;
  return {
    status: 'final',
    category: [concept(system.observationCategory, 'laboratory', 'Laboratory')],
    code: concept(system.loinc, code.loinc, code.display),
    subject: patientRef(ctx),
    encounter: encounterRef(draw.visit),
    effectiveDateTime: instant(draw.collected),
    issued: instant(draw.issued),
    performer: [staffRef(ctx.team['lab-technician']), organizationRef(ctx.institution)],
  };
}

function addQuantityResult(draw: Draw, key: AnalyteKey, rawValue: number): Reference {
  const a: Analyte = analytes[key];
  const range = (draw.ctx.profile.gender === 'female' ? a.femaleRange : undefined) ?? a.range;
  const value = roundTo(Math.max(rawValue, (range.low ?? a.mean) * 0.3), a.decimals);
  const flags = interpretation(value, range);
  const referenceRange = {
    ...(range.low !== undefined ? { low: quantity(range.low, a.unit) } : {}),
    ...(range.high !== undefined ? { high: quantity(range.high, a.unit) } : {}),
  };
  const resource = addResource(draw.ctx, 'Observation', 'obs', draw.issued, {
    ...observationElements(draw, a),
    valueQuantity: quantity(value, a.unit),
    interpretation: flags,
    referenceRange: [referenceRange],
  });
  const flag = flags[0]?.coding[0]?.code;
  recordLine(
    draw,
    `${a.display.split(' [')[0]} ${value} ${a.unit}${flag && flag !== 'N' ? ` (${flag})` : ''}`,
  );
  return reference('Observation', resource.id);
}

function recordLine(draw: Draw, line: string): void {
  const lines = draw.ctx.resultLines.get(draw.visit.id) ?? [];
  lines.push(line);
  draw.ctx.resultLines.set(draw.visit.id, lines);
}

function addPanelReport(draw: Draw, panel: Panel, results: Reference[]): void {
  const { ctx } = draw;
  addResource(ctx, 'DiagnosticReport', 'dr', draw.issued, {
    status: 'final',
    category: [concept(system.diagnosticService, 'LAB', 'Laboratory')],
    code: concept(system.loinc, panel.loinc, panel.display),
    subject: patientRef(ctx),
    encounter: encounterRef(draw.visit),
    effectiveDateTime: instant(draw.collected),
    issued: instant(draw.issued),
    performer: [organizationRef(ctx.institution)],
    resultsInterpreter: [staffRef(ctx.team['lab-technician'])],
    result: results,
  });
}

/**
 * Lab panels at every lab visit, with values that follow each patient's course so that trends show up
 * across visits (rising HbA1c, falling eGFR, LDL coming down on a statin, HIV viral load suppressed).
 */
export function addLabs(ctx: PatientContext): void {
  const { faker, profile } = ctx;
  const courses = drawCourses(ctx);
  const visits = labVisits(ctx);
  const adult = profile.age >= 18;
  const has = (c: ConditionKey) => profile.conditions.includes(c);
  let viralLoad = between(faker, 20_000, 90_000);
  visits.forEach((visit, v) => {
    const collected = addMinutes(visit.start, 20);
    const draw: Draw = { ctx, visit, collected, issued: addHours(collected, between(faker, 2, 30)) };
    const value = (key: AnalyteKey) => {
      const course = courses[key];
      return course.base + course.slope * v + gaussian(faker, 0, analytes[key].sd * 0.15);
    };
    const last = v === visits.length - 1;
    const panel = (p: Panel, values: Partial<Record<AnalyteKey, number>> = {}) => {
      const refs = p.analytes
        .filter((key) => adult || key !== 'egfr')
        .map((key) => addQuantityResult(draw, key, values[key] ?? value(key)));
      addPanelReport(draw, p, refs);
    };
    if (adult || v === 0) {
      const creatinine = roundTo(Math.max(value('creatinine'), 0.3), 2);
      const egfr = estimateGfr(creatinine, ageAt(ctx, collected), profile.gender === 'female');
      panel(panels.basicMetabolic, { creatinine, egfr });
    }
    panel(panels.bloodCount);
    if (adult && (v === 0 || last)) panel(panels.hepatic);
    if (adult && ((v === 0 && profile.age > 30) || (has('hyperlipidemia') && last))) panel(panels.lipid);
    if (has('diabetes') || (v === 0 && profile.age > 35)) addQuantityResult(draw, 'hba1c', value('hba1c'));
    if (profile.hivScreen && v === 0) addHivScreen(draw, has('hiv'));
    if (has('hiv')) {
      addViralLoad(draw, viralLoad);
      viralLoad = viralLoad * 0.03;
    }
  });
}

function addHivScreen(draw: Draw, positive: boolean): void {
  const result = positive ? resultPositive : resultNegative;
  addResource(draw.ctx, 'Observation', 'obs', draw.issued, {
    ...observationElements(draw, hivScreenTest),
    valueCodeableConcept: concept(system.snomed, result.code, result.display),
    interpretation: [
      concept(system.interpretation, positive ? 'POS' : 'NEG', positive ? 'Positive' : 'Negative'),
    ],
  });
  recordLine(draw, `HIV 1/2 Ag/Ab screen ${result.display.toLowerCase()}`);
}

function addViralLoad(draw: Draw, copies: number): void {
  const a = analytes.hivViralLoad;
  const detected = copies >= 20;
  addResource(draw.ctx, 'Observation', 'obs', draw.issued, {
    ...observationElements(draw, a),
    valueQuantity: detected
      ? quantity(Math.round(copies), a.unit)
      : { comparator: '<', ...quantity(20, a.unit) },
    interpretation: [
      concept(system.interpretation, detected ? 'DET' : 'ND', detected ? 'Detected' : 'Not detected'),
    ],
    referenceRange: [{ high: quantity(20, a.unit), text: 'Not detected' }],
  });
  recordLine(
    draw,
    `HIV-1 viral load ${detected ? `${Math.round(copies)} copies/mL` : '<20 copies/mL (not detected)'}`,
  );
}
