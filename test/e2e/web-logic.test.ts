import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/api/request-json.ts';
import { bundleResources, restrictionOf } from '../../web/src/api/fhir.ts';
import { referenceRangeText } from '../../web/src/api/fhir-display.ts';
import { describeConsent, draftToConsent, summarizeConsent } from '../../web/src/patient/consent-model.ts';
import { toAuditRow } from '../../web/src/privacy/audit-event-row.ts';
import { classifySignInFailure } from '../../web/src/auth/sign-in-failure.ts';

// The web app has no unit-test project of its own; its pure rules are checked here, in Node.
describe('sharing settings in plain language', () => {
  it('says the effect of a choice before it is saved', () => {
    expect(
      describeConsent({
        type: 'deny',
        actor: 'Dr. Ignatius Purdy',
        categories: ['labs'],
        purposes: ['TREAT'],
        end: '2027-03-01',
      }),
    ).toBe('Do not allow Dr. Ignatius Purdy to see your lab results for treatment until Mar 1, 2027.');
    expect(describeConsent({ type: 'permit', actor: 'Southbay Clinic', categories: [], purposes: [] })).toBe(
      'Allow Southbay Clinic to see your whole record for any purpose.',
    );
    expect(
      describeConsent({
        type: 'permit',
        actor: 'X',
        categories: ['labs', 'notes', 'summary'],
        purposes: ['TREAT', 'ETREAT'],
      }),
    ).toBe(
      'Allow X to see your lab results, clinical notes and conditions and allergies for treatment and emergency treatment.',
    );
  });

  it('writes the SPEC Consent shape and reads it back to the same sentence', () => {
    const consent = draftToConsent(
      {
        type: 'deny',
        actor: { reference: 'Practitioner/p1', display: 'Dr. A' },
        categories: ['labs'],
        purposes: ['TREAT'],
        end: '',
      },
      'pt-1',
    );
    expect(consent).toMatchObject({
      resourceType: 'Consent',
      status: 'active',
      patient: { reference: 'Patient/pt-1' },
      provision: {
        type: 'deny',
        actor: [{ reference: { reference: 'Practitioner/p1' } }],
        purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }],
        code: [
          { coding: [{ system: 'https://carebase.dev/fhir/CodeSystem/record-category', code: 'labs' }] },
        ],
      },
    });
    const summary = summarizeConsent(consent);
    expect(describeConsent(summary)).toBe('Do not allow Dr. A to see your lab results for treatment.');
  });
});

describe('FHIR answers', () => {
  it('turns a 403 OperationOutcome into a restriction with its reason code, other errors stay errors', () => {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Access denied (consent_denied)' }],
    };
    expect(restrictionOf(new ApiError(403, 'http_403', 'Forbidden', undefined, outcome))).toEqual({
      reason: 'consent_denied',
      message: 'Access denied (consent_denied)',
    });
    expect(restrictionOf(new ApiError(404, 'not_found', 'Not found'))).toBeUndefined();
    expect(restrictionOf(new Error('boom'))).toBeUndefined();
  });

  it('never shows an OperationOutcome entry of a search Bundle as a record', () => {
    const bundle = {
      resourceType: 'Bundle',
      entry: [
        { resource: { resourceType: 'Observation', id: 'o1' } },
        { resource: { resourceType: 'OperationOutcome', issue: [] }, search: { mode: 'outcome' } },
      ],
    };
    expect(bundleResources(bundle).map((r) => r.id)).toEqual(['o1']);
  });

  it('shows reference ranges with their unit', () => {
    expect(
      referenceRangeText([{ low: { value: 70, unit: 'mg/dL' }, high: { value: 99, unit: 'mg/dL' } }]),
    ).toBe('70–99 mg/dL');
    expect(referenceRangeText([{ low: { value: 60, unit: 'mL/min' } }])).toBe('≥ 60 mL/min');
  });

  it('flags break-glass AuditEvents for the privacy officer', () => {
    const row = toAuditRow({
      resourceType: 'AuditEvent',
      id: '7',
      recorded: '2026-11-23T10:00:00Z',
      action: 'R',
      outcome: '0',
      meta: { security: [{ code: 'BTG' }] },
      purposeOfEvent: [{ coding: [{ code: 'ETREAT' }] }, { coding: [{ code: 'BTG' }] }],
      agent: [{ requestor: true, who: { display: 'Dr. B' } }],
      entity: [{ what: { reference: 'Patient/pt-1' } }],
    });
    expect(row).toMatchObject({
      who: 'Dr. B',
      patient: 'Patient/pt-1',
      outcome: 'Success',
      breakGlass: true,
    });
    expect(row.purpose).toBe('ETREAT, BTG');
  });
});

describe('sign-in answers', () => {
  it('sends a privileged user without an authenticator to enrollment, with the enrollment-only token', () => {
    const error = new ApiError(401, 'mfa_required', 'Enroll', undefined, {
      error: 'mfa_required',
      reason: 'mfa_enrollment_required',
      mfa_enrollment_token: 'tok',
    });
    expect(classifySignInFailure(error, false)).toEqual({
      kind: 'enrollment-required',
      enrollmentToken: 'tok',
    });
    expect(classifySignInFailure(new ApiError(401, 'mfa_required', 'Code'), true)).toEqual({
      kind: 'code-required',
      codeWasRejected: true,
    });
  });
});
