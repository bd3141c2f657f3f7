import type { FhirResource } from '../api/fhir.ts';
import { referenceText } from '../api/fhir-display.ts';
import { isRecord } from '../api/request-json.ts';

export interface AuditRow {
  id: string;
  at: string;
  who: string;
  action: string;
  patient: string;
  purpose: string;
  outcome: string;
  breakGlass: boolean;
}

const outcomeText: Record<string, string> = {
  '0': 'Success',
  '4': 'Minor failure',
  '8': 'Refused',
  '12': 'Major failure',
};

function codes(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((concept) =>
    isRecord(concept) && Array.isArray(concept.coding)
      ? concept.coding.filter(isRecord).map((coding) => String(coding.code ?? ''))
      : isRecord(concept) && typeof concept.code === 'string'
        ? [concept.code]
        : [],
  );
}

/** The columns of the audit search from an IHE BALP-shaped AuditEvent. */
export function toAuditRow(event: FhirResource): AuditRow {
  const agents = Array.isArray(event.agent) ? event.agent.filter(isRecord) : [];
  const requestor = agents.find((agent) => agent.requestor === true) ?? agents[0] ?? {};
  const entities = Array.isArray(event.entity) ? event.entity.filter(isRecord) : [];
  const patientEntity = entities.find(
    (entity) => isRecord(entity.what) && String(entity.what.reference ?? '').startsWith('Patient/'),
  );
  const purposes = [...codes(event.purposeOfEvent), ...codes(requestor.purposeOfUse)];
  const security = event.meta?.security?.map((coding) => coding.code ?? '') ?? [];
  return {
    id: event.id ?? '',
    at: String(event.recorded ?? ''),
    who: referenceText(requestor.who) || String(requestor.name ?? ''),
    action: `${String(event.action ?? '')} ${codes([event.type]).join(' ')}`.trim(),
    patient: patientEntity ? referenceText(patientEntity.what) : '',
    purpose: [...new Set(purposes)].join(', '),
    outcome: outcomeText[String(event.outcome ?? '')] ?? String(event.outcome ?? ''),
    breakGlass: purposes.includes('BTG') || security.includes('BTG'),
  };
}
