/**
 * The resource types the FHIR API serves (SPEC §2) and, per type, where its patient compartment reference
 * lives and which search parameters are indexed. Paths are plain element paths (no FHIRPath engine): the
 * indexer walks them through arrays and choice types listed explicitly.
 */
export type SearchParamKind = 'token' | 'string' | 'date' | 'reference' | 'quantity';

export interface SearchParamDef {
  kind: SearchParamKind;
  /** Element paths from the resource root, e.g. `code`, `effectiveDateTime`, `name.family`. */
  paths: readonly string[];
  /** Identifying values (names, identifiers) are stored only as HMAC blind indexes. */
  blind?: boolean;
  /** For references: the resource types a bare id may name (used by `_include` targets). */
  targets?: readonly string[];
}

const patientRef = (path: string): Record<string, SearchParamDef> => ({
  patient: { kind: 'reference', paths: [path], targets: ['Patient'] },
  subject: { kind: 'reference', paths: [path] },
});

const clinical = (
  compartment: string,
  code: readonly string[],
  date: readonly string[],
  status: readonly string[],
  extra: Record<string, SearchParamDef> = {},
): Record<string, SearchParamDef> => ({
  ...patientRef(compartment),
  code: { kind: 'token', paths: code },
  date: { kind: 'date', paths: date },
  status: { kind: 'token', paths: status },
  encounter: { kind: 'reference', paths: ['encounter', 'context'], targets: ['Encounter'] },
  ...extra,
});

export const searchParams: Record<string, Record<string, SearchParamDef>> = {
  Patient: {
    identifier: { kind: 'token', paths: ['identifier'], blind: true },
    name: { kind: 'string', paths: ['name.family', 'name.given', 'name.text', 'name.prefix'], blind: true },
    family: { kind: 'string', paths: ['name.family'], blind: true },
    given: { kind: 'string', paths: ['name.given'], blind: true },
    birthdate: { kind: 'date', paths: ['birthDate'] },
    gender: { kind: 'token', paths: ['gender'] },
    organization: { kind: 'reference', paths: ['managingOrganization'], targets: ['Organization'] },
    'general-practitioner': { kind: 'reference', paths: ['generalPractitioner'] },
  },
  Practitioner: {
    identifier: { kind: 'token', paths: ['identifier'], blind: true },
    name: { kind: 'string', paths: ['name.family', 'name.given', 'name.text'], blind: true },
    family: { kind: 'string', paths: ['name.family'], blind: true },
    given: { kind: 'string', paths: ['name.given'], blind: true },
  },
  PractitionerRole: {
    practitioner: { kind: 'reference', paths: ['practitioner'], targets: ['Practitioner'] },
    organization: { kind: 'reference', paths: ['organization'], targets: ['Organization'] },
    role: { kind: 'token', paths: ['code'] },
  },
  Organization: {
    identifier: { kind: 'token', paths: ['identifier'] },
    name: { kind: 'string', paths: ['name'] },
  },
  CareTeam: {
    ...patientRef('subject'),
    status: { kind: 'token', paths: ['status'] },
    participant: { kind: 'reference', paths: ['participant.member'] },
  },
  Encounter: clinical('subject', ['type'], ['period'], ['status'], {
    type: { kind: 'token', paths: ['type'] },
    class: { kind: 'token', paths: ['class'] },
    encounter: { kind: 'reference', paths: ['partOf'], targets: ['Encounter'] },
  }),
  Observation: clinical(
    'subject',
    ['code'],
    ['effectiveDateTime', 'effectivePeriod', 'effectiveInstant'],
    ['status'],
    {
      category: { kind: 'token', paths: ['category'] },
      'value-quantity': { kind: 'quantity', paths: ['valueQuantity'] },
    },
  ),
  DiagnosticReport: clinical('subject', ['code'], ['effectiveDateTime', 'effectivePeriod'], ['status'], {
    category: { kind: 'token', paths: ['category'] },
    result: { kind: 'reference', paths: ['result'], targets: ['Observation'] },
  }),
  ImagingStudy: clinical('subject', ['procedureCode', 'modality'], ['started'], ['status'], {
    modality: { kind: 'token', paths: ['modality'] },
  }),
  DocumentReference: clinical('subject', ['type'], ['date'], ['status'], {
    type: { kind: 'token', paths: ['type'] },
    category: { kind: 'token', paths: ['category'] },
    encounter: { kind: 'reference', paths: ['context.encounter'], targets: ['Encounter'] },
  }),
  Condition: clinical('subject', ['code'], ['onsetDateTime', 'recordedDate'], ['clinicalStatus'], {
    'clinical-status': { kind: 'token', paths: ['clinicalStatus'] },
    category: { kind: 'token', paths: ['category'] },
  }),
  AllergyIntolerance: clinical('patient', ['code'], ['recordedDate', 'onsetDateTime'], ['clinicalStatus'], {
    'clinical-status': { kind: 'token', paths: ['clinicalStatus'] },
  }),
  MedicationRequest: clinical('subject', ['medicationCodeableConcept'], ['authoredOn'], ['status'], {
    requester: { kind: 'reference', paths: ['requester'] },
    intent: { kind: 'token', paths: ['intent'] },
  }),
  MedicationStatement: clinical(
    'subject',
    ['medicationCodeableConcept'],
    ['effectiveDateTime', 'effectivePeriod'],
    ['status'],
  ),
  Consent: {
    ...patientRef('patient'),
    status: { kind: 'token', paths: ['status'] },
    actor: { kind: 'reference', paths: ['provision.actor.reference'] },
    date: { kind: 'date', paths: ['dateTime'] },
  },
  AuditEvent: {},
  Binary: {},
};

export const supportedTypes: readonly string[] = Object.keys(searchParams);

/** Types served read/search only (AuditEvent comes from the ledger, not from clients). */
export const readOnlyTypes: ReadonlySet<string> = new Set(['AuditEvent']);

/** The element holding the patient compartment reference, per type (Patient is its own compartment). */
export const compartmentPath: Record<string, string | undefined> = {
  CareTeam: 'subject',
  Encounter: 'subject',
  Observation: 'subject',
  DiagnosticReport: 'subject',
  ImagingStudy: 'subject',
  DocumentReference: 'subject',
  Condition: 'subject',
  AllergyIntolerance: 'patient',
  MedicationRequest: 'subject',
  MedicationStatement: 'subject',
  Consent: 'patient',
};

export const fhirIdPattern = /^[A-Za-z0-9\-.]{1,64}$/;

export function isSupportedType(type: string): boolean {
  return Object.hasOwn(searchParams, type);
}
