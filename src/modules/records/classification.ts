import { AppError } from '../../platform/errors/index.ts';

/**
 * Record categories and security labels (SPEC §2 Records). Both are derived from the resource's type and
 * clinical codes on every write; a category tag or label supplied by a client is never trusted on its own
 * (declared `meta.security` labels are honoured, but only ever add restrictions).
 */
export const recordCategories = [
  'demographics',
  'labs',
  'imaging',
  'notes',
  'medications',
  'summary',
  'administrative',
] as const;
export type RecordCategory = (typeof recordCategories)[number];

export const recordCategorySystem = 'https://carebase.dev/fhir/CodeSystem/record-category';
export const confidentialitySystem = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
export const actCodeSystem = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export const confidentialityCodes = ['N', 'R', 'V'] as const;
export type ConfidentialityCode = (typeof confidentialityCodes)[number];
export const sensitivityLabels = ['PSY', 'HIV', 'SUD', 'SDV', 'ETH'] as const;
export type SensitivityLabel = (typeof sensitivityLabels)[number];
/** What the `security` column holds: one confidentiality code first, then sensitivity labels in a fixed order. */
export type SecurityLabel = ConfidentialityCode | SensitivityLabel;

/** Loose FHIR JSON: classification runs on client input, so nothing about its shape is assumed. */
export interface FhirResourceLike {
  resourceType: string;
  [element: string]: unknown;
}

interface Coding {
  system?: unknown;
  code?: unknown;
}

const observationCategorySystem = 'http://terminology.hl7.org/CodeSystem/observation-category';
const diagnosticServiceSystem = 'http://terminology.hl7.org/CodeSystem/v2-0074';
const loincSystem = 'http://loinc.org';

/** HL7 v2 table 0074 diagnostic service sections: laboratory sections, then imaging sections. */
const labSections = new Set('LAB BG BLB CG CH CP HM IMM MB MCB MYC PAR SP SR TX VR'.split(' '));
const imagingSections = new Set('RAD RX CT NMR NMS US VUS XRC CUS OUS RUS'.split(' '));
/** LOINC report categories used by US Core DiagnosticReport. */
const loincLabCategories = new Set(['LP29693-6', 'LP7839-6']);
const loincImagingCategories = new Set(['LP29684-5']);

/**
 * LOINC codes of common laboratory tests and panels: an Observation or DiagnosticReport that carries one of
 * them is a lab result even when the sender left out its category.
 */
const labLoincCodes = new Set(
  (
    '2345-7 4548-4 2160-0 2823-3 2951-2 718-7 6690-2 777-3 1742-6 1920-8 98979-8 33914-3 62238-1 2093-3 2085-9 ' +
    '2571-8 13457-7 18262-6 3094-0 2075-0 2028-9 17861-6 75622-1 56888-1 7917-8 7918-6 20447-9 25836-8 5221-7 ' +
    '31201-7 51990-0 24323-8 58410-2 24325-3 57698-3 24331-1'
  ).split(' '),
);

/**
 * Category per resource type. Choices beyond SPEC §2: RelatedPerson is demographics; Procedure, Immunization
 * and FamilyMemberHistory are summary; non-laboratory Observations (vital signs, social history, surveys) are
 * summary; DiagnosticReports that are neither LAB nor RAD (e.g. cardiology) and non-image Binaries are notes;
 * resources about people, places, relationships and permissions (Practitioner, PractitionerRole,
 * Organization, Location, CareTeam, Encounter, Consent, AuditEvent, Provenance) are administrative.
 * Unknown types are refused rather than guessed into a category.
 */
const categoryByType: Record<string, RecordCategory | ((resource: FhirResourceLike) => RecordCategory)> = {
  Patient: 'demographics',
  RelatedPerson: 'demographics',
  Observation: observationCategory,
  DiagnosticReport: diagnosticReportCategory,
  ImagingStudy: 'imaging',
  Binary: binaryCategory,
  DocumentReference: 'notes',
  MedicationRequest: 'medications',
  MedicationStatement: 'medications',
  MedicationAdministration: 'medications',
  MedicationDispense: 'medications',
  Condition: 'summary',
  AllergyIntolerance: 'summary',
  Procedure: 'summary',
  Immunization: 'summary',
  FamilyMemberHistory: 'summary',
  Practitioner: 'administrative',
  PractitionerRole: 'administrative',
  Organization: 'administrative',
  Location: 'administrative',
  CareTeam: 'administrative',
  Encounter: 'administrative',
  Consent: 'administrative',
  AuditEvent: 'administrative',
  Provenance: 'administrative',
};

export function deriveCategory(resource: FhirResourceLike): RecordCategory {
  const rule = Object.hasOwn(categoryByType, resource.resourceType)
    ? categoryByType[resource.resourceType]
    : undefined;
  if (rule === undefined) {
    throw new AppError('unprocessable', `Resource type ${String(resource.resourceType)} is not supported`);
  }
  return typeof rule === 'function' ? rule(resource) : rule;
}

function observationCategory(resource: FhirResourceLike): RecordCategory {
  for (const coding of codingsOf(resource.category)) {
    if (coding.system !== observationCategorySystem) continue;
    if (coding.code === 'laboratory') return 'labs';
    if (coding.code === 'imaging') return 'imaging';
  }
  return hasLabCode(resource) ? 'labs' : 'summary';
}

function diagnosticReportCategory(resource: FhirResourceLike): RecordCategory {
  for (const coding of codingsOf(resource.category)) {
    if (typeof coding.code !== 'string') continue;
    if (coding.system === diagnosticServiceSystem) {
      if (labSections.has(coding.code)) return 'labs';
      if (imagingSections.has(coding.code)) return 'imaging';
    } else if (coding.system === loincSystem) {
      if (loincLabCategories.has(coding.code)) return 'labs';
      if (loincImagingCategories.has(coding.code)) return 'imaging';
    }
  }
  return hasLabCode(resource) ? 'labs' : 'notes';
}

function binaryCategory(resource: FhirResourceLike): RecordCategory {
  const contentType = typeof resource.contentType === 'string' ? resource.contentType.toLowerCase() : '';
  return contentType === 'application/dicom' || contentType.startsWith('image/') ? 'imaging' : 'notes';
}

function hasLabCode(resource: FhirResourceLike): boolean {
  return codingsOf(resource.code).some(
    (c) => c.system === loincSystem && typeof c.code === 'string' && labLoincCodes.has(c.code),
  );
}

const confidentialitySystems = new Set([
  confidentialitySystem,
  'http://hl7.org/fhir/v3/Confidentiality',
  'urn:oid:2.16.840.1.113883.5.25',
]);
const actCodeSystems = new Set([
  actCodeSystem,
  'http://hl7.org/fhir/v3/ActCode',
  'urn:oid:2.16.840.1.113883.5.4',
]);
/** U, L and M are less restrictive than N; carebase treats them as normal. */
const confidentialityRank: Record<string, number> = { U: 0, L: 0, M: 0, N: 0, R: 1, V: 2 };
/** ActCode sensitivity codes, including narrower ones folded into the five labels carebase enforces. */
const declaredSensitivity: Record<string, SensitivityLabel> = {
  PSY: 'PSY',
  PSYTHPN: 'PSY',
  BH: 'PSY',
  HIV: 'HIV',
  SUD: 'SUD',
  ETHUD: 'SUD',
  OPIOIDUD: 'SUD',
  SDV: 'SDV',
  ETH: 'ETH',
};

/**
 * Elements whose codes say what the record is about. Only these are scanned: a Consent's
 * `provision.securityLabel` or a PractitionerRole's specialty must not label the record itself.
 */
const clinicalCodePaths: readonly (readonly string[])[] = [
  ['code'],
  ['valueCodeableConcept'],
  ['type'],
  ['reasonCode'],
  ['conclusionCode'],
  ['medicationCodeableConcept'],
  ['serviceType'],
  ['component', 'code'],
  ['component', 'valueCodeableConcept'],
  ['context', 'practiceSetting'],
];

/**
 * Confidentiality (declared in `meta.security`, default N) and sensitivity labels, declared or inferred from
 * clinical codes. Any sensitivity label raises confidentiality to at least R: SPEC §3 treats PSY, HIV and
 * SUD data as restricted, and SDV/ETH are at least as sensitive. Result: `[confidentiality, ...labels]`.
 */
export function deriveSecurityLabels(resource: FhirResourceLike): SecurityLabel[] {
  let rank = 0;
  const labels = new Set<SensitivityLabel>();
  const meta = resource.meta;
  const declared = isObject(meta) ? codingsIn(meta.security) : [];
  for (const coding of declared) {
    if (typeof coding.code !== 'string' || typeof coding.system !== 'string') continue;
    if (confidentialitySystems.has(coding.system))
      rank = Math.max(rank, confidentialityRank[coding.code] ?? 0);
    else if (actCodeSystems.has(coding.system)) {
      const label = Object.hasOwn(declaredSensitivity, coding.code)
        ? declaredSensitivity[coding.code]
        : undefined;
      if (label) labels.add(label);
    }
  }
  for (const path of clinicalCodePaths) {
    for (const coding of codingsOf(valuesAt(resource, path))) {
      const label = sensitiveCodeLabel(coding.system, coding.code);
      if (label) labels.add(label);
    }
  }
  if (labels.size > 0) rank = Math.max(rank, 1);
  const confidentiality: ConfidentialityCode = rank === 2 ? 'V' : rank === 1 ? 'R' : 'N';
  return [confidentiality, ...sensitivityLabels.filter((label) => labels.has(label))];
}

const labelDisplay: Record<SecurityLabel, string> = {
  N: 'normal',
  R: 'restricted',
  V: 'very restricted',
  PSY: 'psychiatry disorder information sensitivity',
  HIV: 'HIV/AIDS information sensitivity',
  SUD: 'substance use disorder information sensitivity',
  SDV: 'sexual assault, abuse, or domestic violence information sensitivity',
  ETH: 'substance abuse information sensitivity',
};

/** `meta.security` codings for derived labels, so the stored body states what the `security` column holds. */
export function securityLabelCodings(
  labels: readonly SecurityLabel[],
): { system: string; code: string; display: string }[] {
  return labels.map((code) => ({
    system: (confidentialityCodes as readonly string[]).includes(code)
      ? confidentialitySystem
      : actCodeSystem,
    code,
    display: labelDisplay[code],
  }));
}

const snomedSystem = 'http://snomed.info/sct';
const rxnormSystem = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const icd10Systems = new Set(['http://hl7.org/fhir/sid/icd-10-cm', 'http://hl7.org/fhir/sid/icd-10']);

/**
 * Small curated code lists where the code alone says the record is sensitive. Deliberately conservative:
 * a code missing here only means the label must be declared in `meta.security` by the author.
 */
const sensitiveCodeLists: [system: string, label: SensitivityLabel, codes: string][] = [
  // HIV infection, HIV positive, AIDS, asymptomatic HIV infection
  [snomedSystem, 'HIV', '86406008 165816005 62479008 91947003'],
  // alcohol dependence, alcohol abuse, alcoholism, opioid dependence, opioid abuse, dependent drug abuse, misuses drugs
  [snomedSystem, 'SUD', '66590003 15167005 7200002 75544000 5602001 6525002 361055000'],
  // depressive disorder, major depressive disorder (+ single episode), schizophrenia, bipolar disorder, anxiety
  // disorder, generalized anxiety disorder, PTSD, psychotic disorder, OCD; psychiatry (a note's practice setting)
  [
    snomedSystem,
    'PSY',
    '35489007 370143000 36923009 58214004 13746004 197480006 21897009 47505003 69322001 191736004 394587001',
  ],
  // victim of intimate partner abuse
  [snomedSystem, 'SDV', '706893006'],
  // HIV screening, confirmation and viral load tests
  [loincSystem, 'HIV', '75622-1 56888-1 7917-8 7918-6 20447-9 25836-8 5221-7 31201-7'],
  // psychiatry and mental health note types
  [loincSystem, 'PSY', '28627-8 75474-7 83561-1 83609-8 84202-1 68646-9'],
  // buprenorphine/naloxone (film, tablet), naltrexone extended-release injection
  [rxnormSystem, 'SUD', '1010600 1010604 351266 351267 637213'],
  // bictegravir/emtricitabine/tenofovir alafenamide (antiretroviral therapy)
  [rxnormSystem, 'HIV', '1999667 1999673'],
];
const sensitiveCodes = new Map<string, SensitivityLabel>(
  sensitiveCodeLists.flatMap(([system, label, codes]) =>
    codes.split(' ').map((code): [string, SensitivityLabel] => [`${system}|${code}`, label]),
  ),
);

/** ICD-10 code ranges, compared on the code without its dot: F10–F19 SUD, F20–F48 and F60–F69 PSY, … */
const icd10Ranges: [from: string, to: string, label: SensitivityLabel][] = [
  ['F10', 'F19', 'SUD'],
  ['F20', 'F48', 'PSY'],
  ['F60', 'F69', 'PSY'],
  ['B20', 'B20', 'HIV'],
  ['Z21', 'Z21', 'HIV'],
  ['B9735', 'B9735', 'HIV'],
  ['O987', 'O987', 'HIV'],
  ['R75', 'R75', 'HIV'],
  ['Z717', 'Z717', 'HIV'],
  ['T74', 'T74', 'SDV'],
  ['T76', 'T76', 'SDV'],
  ['Y07', 'Y07', 'SDV'],
];

/** The sensitivity label a single clinical code implies, if any. */
export function sensitiveCodeLabel(system: unknown, code: unknown): SensitivityLabel | undefined {
  if (typeof system !== 'string' || typeof code !== 'string') return undefined;
  if (icd10Systems.has(system)) {
    const normalized = code.replace('.', '').toUpperCase();
    for (const [from, to, label] of icd10Ranges) {
      // A range end matches every code under it: 'F19' covers 'F1920'.
      if (normalized >= from && (normalized <= to || normalized.startsWith(to))) return label;
    }
    return undefined;
  }
  return sensitiveCodes.get(`${system}|${code}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Values reached by following `path` through objects and arrays. */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [value];
  for (const key of path) {
    const next: unknown[] = [];
    for (const item of current.flatMap((v) => (Array.isArray(v) ? v : [v]))) {
      if (isObject(item) && item[key] !== undefined) next.push(item[key]);
    }
    current = next;
  }
  return current;
}

/** Codings of CodeableConcepts (or arrays of them), and bare Codings. */
function codingsOf(value: unknown): Coding[] {
  const items = Array.isArray(value) ? value.flat() : [value];
  const codings: Coding[] = [];
  for (const item of items) {
    if (!isObject(item)) continue;
    if (Array.isArray(item.coding)) codings.push(...codingsIn(item.coding));
    else if ('code' in item && 'system' in item) codings.push(item);
  }
  return codings;
}

function codingsIn(value: unknown): Coding[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}
