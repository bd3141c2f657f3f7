/** The small slice of FHIR R4 JSON the generator builds: plain objects, valid R4, nothing library-specific. */

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface CodeableConcept {
  coding: Coding[];
  text?: string;
}

export interface Reference {
  reference: string;
  display?: string;
}

export interface Quantity {
  value: number;
  unit: string;
  system: string;
  code: string;
}

export interface FhirResource {
  resourceType: string;
  id: string;
  meta: { versionId: string; lastUpdated: string; security?: Coding[] };
  [element: string]: unknown;
}

export const system = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  ucum: 'http://unitsofmeasure.org',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  actReason: 'http://terminology.hl7.org/CodeSystem/v3-ActReason',
  confidentiality: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  diagnosticService: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  organizationType: 'http://terminology.hl7.org/CodeSystem/organization-type',
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  contactRelationship: 'http://terminology.hl7.org/CodeSystem/v2-0131',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  documentCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
  recordCategory: 'https://carebase.dev/fhir/CodeSystem/record-category',
  carebaseRole: 'https://carebase.dev/fhir/CodeSystem/role',
  mrn: 'https://carebase.dev/fhir/sid/mrn',
  dicomUid: 'urn:dicom:uid',
} as const;

export function coding(codeSystem: string, code: string, display?: string): Coding {
  return display === undefined ? { system: codeSystem, code } : { system: codeSystem, code, display };
}

export function concept(
  codeSystem: string,
  code: string,
  display: string,
  text: string = display,
): CodeableConcept {
  return { coding: [coding(codeSystem, code, display)], text };
}

export function reference(resourceType: string, id: string, display?: string): Reference {
  return display === undefined
    ? { reference: `${resourceType}/${id}` }
    : { reference: `${resourceType}/${id}`, display };
}

export function quantity(value: number, unit: string, ucum: string = unit): Quantity {
  return { value, unit, system: system.ucum, code: ucum };
}

/** Every generated resource is version 1, last updated when its clinical event was recorded. */
export function fhirResource(
  resourceType: string,
  id: string,
  lastUpdated: Date,
  elements: Record<string, unknown>,
): FhirResource {
  return { resourceType, id, meta: { versionId: '1', lastUpdated: instant(lastUpdated) }, ...elements };
}

/** FHIR `instant`/`dateTime` with seconds precision and a zone, e.g. `2025-03-14T09:30:00Z`. */
export function instant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** FHIR `date`, e.g. `1968-07-21`. */
export function fhirDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
