import { describe, expect, it } from 'vitest';
import { isAppError } from '../../platform/errors/index.ts';
import {
  actCodeSystem,
  confidentialitySystem,
  deriveCategory,
  deriveSecurityLabels,
  recordCategorySystem,
  securityLabelCodings,
  sensitiveCodeLabel,
} from './classification.ts';

const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
const snomed = (code: string) => ({ coding: [{ system: 'http://snomed.info/sct', code }] });
const icd10 = (code: string) => ({ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code }] });
const rxnorm = (code: string) => ({
  coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code }],
});
const observationCategory = (code: string) => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] },
];
const serviceSection = (code: string) => [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code }] },
];
const confidentiality = (code: string) => ({ system: confidentialitySystem, code });
const actCode = (code: string) => ({ system: actCodeSystem, code });

describe('deriveCategory', () => {
  it.each([
    [{ resourceType: 'Patient' }, 'demographics'],
    [
      { resourceType: 'Observation', category: observationCategory('laboratory'), code: loinc('999-9') },
      'labs',
    ],
    [
      { resourceType: 'Observation', category: observationCategory('vital-signs'), code: loinc('8867-4') },
      'summary',
    ],
    [{ resourceType: 'Observation', category: observationCategory('imaging') }, 'imaging'],
    // A known lab code makes a lab result even without a category.
    [{ resourceType: 'Observation', code: loinc('2345-7') }, 'labs'],
    [{ resourceType: 'DiagnosticReport', category: serviceSection('LAB'), code: loinc('51990-0') }, 'labs'],
    [{ resourceType: 'DiagnosticReport', category: serviceSection('HM') }, 'labs'],
    [
      { resourceType: 'DiagnosticReport', category: serviceSection('RAD'), code: loinc('36643-5') },
      'imaging',
    ],
    [{ resourceType: 'DiagnosticReport', category: serviceSection('CT') }, 'imaging'],
    [{ resourceType: 'DiagnosticReport', category: [loinc('LP29684-5')] }, 'imaging'],
    [{ resourceType: 'DiagnosticReport', category: serviceSection('EC') }, 'notes'],
    [{ resourceType: 'ImagingStudy' }, 'imaging'],
    [{ resourceType: 'Binary', contentType: 'application/dicom' }, 'imaging'],
    [{ resourceType: 'Binary', contentType: 'image/png' }, 'imaging'],
    [{ resourceType: 'Binary', contentType: 'application/pdf' }, 'notes'],
    [{ resourceType: 'DocumentReference', type: loinc('11506-3') }, 'notes'],
    [{ resourceType: 'MedicationRequest' }, 'medications'],
    [{ resourceType: 'MedicationStatement' }, 'medications'],
    [{ resourceType: 'Condition' }, 'summary'],
    [{ resourceType: 'AllergyIntolerance' }, 'summary'],
    [{ resourceType: 'Practitioner' }, 'administrative'],
    [{ resourceType: 'PractitionerRole' }, 'administrative'],
    [{ resourceType: 'Organization' }, 'administrative'],
    [{ resourceType: 'CareTeam' }, 'administrative'],
    [{ resourceType: 'Encounter' }, 'administrative'],
    [{ resourceType: 'Consent' }, 'administrative'],
  ])('%o → %s', (resource, category) => {
    expect(deriveCategory(resource)).toBe(category);
  });

  it('ignores a client-supplied category tag', () => {
    const tagged = {
      resourceType: 'Observation',
      category: observationCategory('laboratory'),
      meta: { tag: [{ system: recordCategorySystem, code: 'administrative' }] },
    };
    expect(deriveCategory(tagged)).toBe('labs');
    // An observation category under a foreign system is not trusted either.
    expect(
      deriveCategory({
        resourceType: 'Observation',
        category: [{ coding: [{ system: 'x', code: 'laboratory' }] }],
      }),
    ).toBe('summary');
  });

  it('refuses resource types it cannot classify, including inherited object keys', () => {
    for (const resourceType of ['Bundle', 'toString', 'constructor']) {
      try {
        deriveCategory({ resourceType });
        expect.unreachable();
      } catch (error) {
        expect(isAppError(error) && error.code).toBe('unprocessable');
      }
    }
  });
});

describe('deriveSecurityLabels', () => {
  it('defaults to normal confidentiality without labels', () => {
    expect(deriveSecurityLabels({ resourceType: 'Observation', code: loinc('2345-7') })).toEqual(['N']);
  });

  it('keeps the most restrictive declared confidentiality and treats U/L/M as normal', () => {
    const declared = (...codes: string[]) => ({
      resourceType: 'Condition',
      meta: { security: codes.map(confidentiality) },
    });
    expect(deriveSecurityLabels(declared('R'))).toEqual(['R']);
    expect(deriveSecurityLabels(declared('N', 'V', 'R'))).toEqual(['V']);
    expect(deriveSecurityLabels(declared('L'))).toEqual(['N']);
    expect(deriveSecurityLabels(declared('bogus'))).toEqual(['N']);
  });

  it('reads declared sensitivity labels and raises confidentiality to R', () => {
    const note = {
      resourceType: 'DocumentReference',
      meta: { security: [actCode('PSYTHPN'), actCode('ETH'), { system: 'urn:other', code: 'HIV' }] },
    };
    expect(deriveSecurityLabels(note)).toEqual(['R', 'PSY', 'ETH']);
    const veryRestricted = {
      resourceType: 'Condition',
      meta: { security: [confidentiality('V'), actCode('SDV')] },
    };
    expect(deriveSecurityLabels(veryRestricted)).toEqual(['V', 'SDV']);
  });

  it('infers labels from ICD-10 ranges', () => {
    const condition = (code: string) =>
      deriveSecurityLabels({ resourceType: 'Condition', code: icd10(code) });
    expect(condition('F11.20')).toEqual(['R', 'SUD']);
    expect(condition('F10')).toEqual(['R', 'SUD']);
    expect(condition('F19.99')).toEqual(['R', 'SUD']);
    expect(condition('F20.9')).toEqual(['R', 'PSY']);
    expect(condition('F32.9')).toEqual(['R', 'PSY']);
    expect(condition('F48.1')).toEqual(['R', 'PSY']);
    expect(condition('B20')).toEqual(['R', 'HIV']);
    expect(condition('Z21')).toEqual(['R', 'HIV']);
    expect(condition('T74.11XA')).toEqual(['R', 'SDV']);
    // Just outside the ranges.
    expect(condition('F09')).toEqual(['N']);
    expect(condition('F49')).toEqual(['N']);
    expect(condition('B21')).toEqual(['N']);
    expect(condition('E11.9')).toEqual(['N']);
  });

  it('infers labels from SNOMED, LOINC and RxNorm codes in clinical elements', () => {
    expect(deriveSecurityLabels({ resourceType: 'Condition', code: snomed('370143000') })).toEqual([
      'R',
      'PSY',
    ]);
    expect(deriveSecurityLabels({ resourceType: 'Condition', code: snomed('86406008') })).toEqual([
      'R',
      'HIV',
    ]);
    expect(
      deriveSecurityLabels({
        resourceType: 'Observation',
        code: loinc('75622-1'),
        valueCodeableConcept: snomed('260385009'),
      }),
    ).toEqual(['R', 'HIV']);
    expect(
      deriveSecurityLabels({
        resourceType: 'MedicationRequest',
        medicationCodeableConcept: rxnorm('1010600'),
      }),
    ).toEqual(['R', 'SUD']);
    expect(deriveSecurityLabels({ resourceType: 'DocumentReference', type: loinc('28627-8') })).toEqual([
      'R',
      'PSY',
    ]);
    expect(
      deriveSecurityLabels({
        resourceType: 'DocumentReference',
        context: { practiceSetting: snomed('394587001') },
      }),
    ).toEqual(['R', 'PSY']);
    expect(
      deriveSecurityLabels({ resourceType: 'Encounter', reasonCode: [icd10('F11.20'), snomed('86406008')] }),
    ).toEqual(['R', 'HIV', 'SUD']);
  });

  it('does not label a record from codes outside its clinical elements', () => {
    const consent = {
      resourceType: 'Consent',
      provision: { type: 'permit', securityLabel: [actCode('PSY')], code: [icd10('F32.9')] },
    };
    expect(deriveSecurityLabels(consent)).toEqual(['N']);
    const role = { resourceType: 'PractitionerRole', specialty: [snomed('394587001')] };
    expect(deriveSecurityLabels(role)).toEqual(['N']);
  });

  it('survives malformed input', () => {
    const junk = {
      resourceType: 'Observation',
      meta: { security: 'R' },
      code: [null, 3, { coding: 'x' }],
      valueCodeableConcept: { coding: [null, { system: 5, code: {} }] },
    };
    expect(deriveSecurityLabels(junk)).toEqual(['N']);
  });

  it('turns labels back into meta.security codings', () => {
    expect(securityLabelCodings(['R', 'PSY'])).toEqual([
      { system: confidentialitySystem, code: 'R', display: 'restricted' },
      { system: actCodeSystem, code: 'PSY', display: 'psychiatry disorder information sensitivity' },
    ]);
    const roundTrip = {
      resourceType: 'Condition',
      meta: { security: securityLabelCodings(['V', 'HIV', 'SUD']) },
    };
    expect(deriveSecurityLabels(roundTrip)).toEqual(['V', 'HIV', 'SUD']);
  });

  it('exposes the code list lookup', () => {
    expect(sensitiveCodeLabel('http://hl7.org/fhir/sid/icd-10', 'f14.2')).toBe('SUD');
    expect(sensitiveCodeLabel('http://snomed.info/sct', '44054006')).toBeUndefined();
    expect(sensitiveCodeLabel(undefined, 'B20')).toBeUndefined();
  });
});
