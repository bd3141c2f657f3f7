/** One valid R4 resource per served type, for a patient `pid` (names and note text are distinctive on purpose). */
export const patientName = { family: 'Zebulonsky', given: ['Quintessa'] };
export const noteText = 'Patient reports xylophonic tinnitus since Tuesday';

const loinc = 'http://loinc.org';
const snomed = 'http://snomed.info/sct';

export function patientResource(mrn = 'MRN-778899') {
  return {
    resourceType: 'Patient',
    name: [patientName],
    gender: 'female',
    birthDate: '1980-04-12',
    identifier: [{ system: 'urn:carebase:mrn', value: mrn }],
  };
}

export function sampleResources(pid: string): Record<string, Record<string, unknown>> {
  const subject = { reference: `Patient/${pid}` };
  return {
    Observation: {
      resourceType: 'Observation',
      status: 'final',
      category: [
        {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
          ],
        },
      ],
      code: { coding: [{ system: loinc, code: '2345-7', display: 'Glucose' }] },
      subject,
      effectiveDateTime: '2026-03-04T10:00:00Z',
      valueQuantity: { value: 5.4, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    },
    DiagnosticReport: {
      resourceType: 'DiagnosticReport',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
      code: { coding: [{ system: loinc, code: '24323-8' }] },
      subject,
      effectiveDateTime: '2026-03-04',
    },
    DocumentReference: {
      resourceType: 'DocumentReference',
      status: 'current',
      type: { coding: [{ system: loinc, code: '11506-3' }] },
      subject,
      date: '2026-03-05T09:00:00Z',
      description: noteText,
      content: [
        { attachment: { contentType: 'text/plain', data: Buffer.from(noteText).toString('base64') } },
      ],
    },
    Condition: {
      resourceType: 'Condition',
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      code: { coding: [{ system: snomed, code: '44054006' }] },
      subject,
      recordedDate: '2025-01-02',
    },
    AllergyIntolerance: {
      resourceType: 'AllergyIntolerance',
      clinicalStatus: {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
        ],
      },
      code: { coding: [{ system: snomed, code: '91936005' }] },
      patient: subject,
      recordedDate: '2024-06-01',
    },
    MedicationRequest: {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975' }],
      },
      subject,
      authoredOn: '2026-02-01',
    },
    MedicationStatement: {
      resourceType: 'MedicationStatement',
      status: 'active',
      medicationCodeableConcept: {
        coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975' }],
      },
      subject,
      effectiveDateTime: '2026-02-02',
    },
    Encounter: {
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject,
      period: { start: '2026-03-04T09:00:00Z', end: '2026-03-04T10:30:00Z' },
    },
    ImagingStudy: {
      resourceType: 'ImagingStudy',
      status: 'available',
      subject,
      started: '2026-03-06T08:00:00Z',
      modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
    },
    CareTeam: { resourceType: 'CareTeam', status: 'active', subject },
    Consent: {
      resourceType: 'Consent',
      status: 'active',
      scope: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
      },
      category: [{ coding: [{ system: loinc, code: '59284-0' }] }],
      patient: subject,
      dateTime: '2026-01-01T00:00:00Z',
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    },
    Organization: { resourceType: 'Organization', name: 'Riverside Clinic' },
    Practitioner: { resourceType: 'Practitioner', name: [{ family: 'Okonkwo', given: ['Adaeze'] }] },
    PractitionerRole: { resourceType: 'PractitionerRole', active: true },
    Binary: {
      resourceType: 'Binary',
      contentType: 'text/plain',
      data: Buffer.from('scan notes').toString('base64'),
    },
  };
}
