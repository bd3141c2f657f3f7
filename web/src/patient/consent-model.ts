import { purposesOfUse, type FhirResource, type PurposeOfUse } from '../api/fhir.ts';
import { formatDate, referenceText } from '../api/fhir-display.ts';
import { isRecord } from '../api/request-json.ts';
import { recordCategories, recordCategorySystem } from '../records/record-categories.ts';

const actReasonSystem = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/** What a patient chooses in the sharing form. */
export interface ConsentDraft {
  type: 'permit' | 'deny';
  actor: { reference: string; display: string };
  categories: string[];
  purposes: PurposeOfUse[];
  /** `YYYY-MM-DD`, or '' for no end. */
  end: string;
}

function list(words: string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

const categoryPlain = (code: string) => recordCategories.find((c) => c.id === code)?.plain ?? code;

/** The effect in one plain sentence, shown before saving and for each saved choice. */
export function describeConsent(draft: {
  type: string;
  actor: string;
  categories: string[];
  purposes: string[];
  end?: string;
  start?: string;
}): string {
  const verb = draft.type === 'deny' ? 'Do not allow' : 'Allow';
  const what =
    draft.categories.length > 0 ? `your ${list(draft.categories.map(categoryPlain))}` : 'your whole record';
  const why =
    draft.purposes.length > 0
      ? ` for ${list(draft.purposes.map((p) => (purposesOfUse[p as PurposeOfUse] ?? p).toLowerCase()))}`
      : ' for any purpose';
  const until = draft.end ? ` until ${formatDate(draft.end)}` : '';
  return `${verb} ${draft.actor || 'anyone'} to see ${what}${why}${until}.`;
}

export function draftToConsent(draft: ConsentDraft, patientId: string): FhirResource {
  const today = new Date().toISOString().slice(0, 10);
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
    },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: new Date().toISOString(),
    // FHIR ppc-1: a Consent names a policy; opt-in for a permit, opt-out for a deny.
    policyRule: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
          code: draft.type === 'permit' ? 'OPTIN' : 'OPTOUT',
        },
      ],
    },
    provision: {
      type: draft.type,
      period: { start: today, ...(draft.end ? { end: draft.end } : {}) },
      actor: [
        {
          role: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }],
          },
          reference: { reference: draft.actor.reference, display: draft.actor.display },
        },
      ],
      ...(draft.purposes.length > 0
        ? { purpose: draft.purposes.map((code) => ({ system: actReasonSystem, code })) }
        : {}),
      ...(draft.categories.length > 0
        ? { code: draft.categories.map((code) => ({ coding: [{ system: recordCategorySystem, code }] })) }
        : {}),
    },
  };
}

export interface ConsentSummary {
  id: string;
  status: string;
  type: string;
  actor: string;
  categories: string[];
  purposes: string[];
  start?: string;
  end?: string;
  research: boolean;
}

/** Who a provision names; a care team recorded without a display name is the patient's care team. */
function actorText(reference: unknown): string {
  const text = referenceText(reference);
  return /^CareTeam\/[^/]+$/.test(text) ? 'your care team' : text;
}

export function summarizeConsent(consent: FhirResource): ConsentSummary {
  const provision = isRecord(consent.provision) ? consent.provision : {};
  const actors = Array.isArray(provision.actor) ? provision.actor.filter(isRecord) : [];
  const codes = Array.isArray(provision.code) ? provision.code.filter(isRecord) : [];
  const purposes = Array.isArray(provision.purpose) ? provision.purpose.filter(isRecord) : [];
  const period = isRecord(provision.period) ? provision.period : {};
  const scope = JSON.stringify(consent.scope ?? '');
  return {
    id: consent.id ?? '',
    status: String(consent.status ?? ''),
    type: String(provision.type ?? 'permit'),
    actor: actors.map((actor) => actorText(actor.reference)).join(', '),
    categories: codes.flatMap((code) =>
      Array.isArray(code.coding) ? code.coding.filter(isRecord).map((c) => String(c.code)) : [],
    ),
    purposes: purposes.map((purpose) => String(purpose.code)),
    start: typeof period.start === 'string' ? period.start : undefined,
    end: typeof period.end === 'string' ? period.end : undefined,
    research: scope.includes('research'),
  };
}
