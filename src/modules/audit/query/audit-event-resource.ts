import type { AuditEntry } from '../ledger/entry.ts';
import type { ActorView } from './actors.ts';

/*
 * Ledger entries as FHIR R4 AuditEvents in the shape of IHE Basic Audit Log Patterns (BALP): a RESTful
 * interaction type and subtype, the user agent (requestor) and the client application agent, the server
 * as source, and the patient plus each touched resource as entities. Break-glass access carries the BTG
 * purpose and the justification.
 */
const BALP = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

const crud: Record<string, 'C' | 'R' | 'U' | 'D' | 'E'> = {
  create: 'C',
  read: 'R',
  vread: 'R',
  history: 'R',
  search: 'E',
  update: 'U',
  delete: 'D',
  export: 'R',
  playback: 'R',
};

/** FHIR AuditEvent.outcome: 0 success, 4 minor failure (denied), 8 serious failure (error). */
export const fhirOutcome: Record<string, string> = { permit: '0', deny: '4', error: '8' };

function profileFor(entry: AuditEntry): string {
  if (entry.action === 'login' || entry.action === 'logout' || entry.action === 'token')
    return `${BALP}/IHE.BasicAudit.Login`;
  if (entry.patient) {
    const kind = { C: 'Create', R: 'Read', U: 'Update', D: 'Delete', E: 'Query' }[crud[entry.action] ?? 'E'];
    return `${BALP}/IHE.BasicAudit.Patient${kind}`;
  }
  return `${BALP}/IHE.BasicAudit.Query`;
}

export function auditEventResource(entry: AuditEntry, actor: ActorView): Record<string, unknown> {
  const purposes = [entry.purpose, entry.breakGlass && entry.purpose !== 'BTG' ? 'BTG' : undefined].filter(
    (p): p is string => !!p,
  );
  const purposeOfUse = purposes.map((code) => ({ coding: [{ system: ACT_REASON, code }] }));
  const agents: Record<string, unknown>[] = [
    {
      type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
      who: {
        ...(entry.actor.subject ? { identifier: { value: entry.actor.subject } } : {}),
        display: actor.name,
      },
      role: entry.actor.roles.map((code) => ({ coding: [{ system: 'urn:carebase:role', code }] })),
      requestor: true,
      ...(entry.where.ip ? { network: { address: entry.where.ip, type: '2' } } : {}),
      ...(entry.policyIds?.length ? { policy: entry.policyIds } : {}),
      ...(purposeOfUse.length ? { purposeOfUse } : {}),
    },
  ];
  if (entry.actor.client) {
    agents.push({
      type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
      who: { identifier: { value: entry.actor.client } },
      requestor: false,
    });
  }
  const entities: Record<string, unknown>[] = [];
  if (entry.patient) {
    entities.push({
      what: { reference: `Patient/${entry.patient}` },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '1',
        display: 'Person',
      },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
    });
  }
  for (const id of entry.resourceIds ?? []) {
    entities.push({
      what: { reference: entry.resourceType ? `${entry.resourceType}/${id}` : id },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '2',
        display: 'System Object',
      },
      role: {
        system: 'http://terminology.hl7.org/CodeSystem/object-role',
        code: '4',
        display: 'Domain Resource',
      },
      ...(entry.sensitivity?.length
        ? {
            securityLabel: entry.sensitivity.map((code) => ({
              system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
              code,
            })),
          }
        : {}),
      ...(entry.category ? { detail: [{ type: 'category', valueString: entry.category }] } : {}),
    });
  }
  if (entry.breakGlass) {
    entities.push({
      what: { identifier: { value: entry.breakGlass.grantId } },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '4',
        display: 'Other',
      },
      description: 'break-glass grant',
      detail: [{ type: 'justification', valueString: entry.breakGlass.justification }],
    });
  }
  return {
    resourceType: 'AuditEvent',
    id: String(entry.index),
    meta: {
      profile: [profileFor(entry)],
      ...(entry.breakGlass ? { security: [{ system: ACT_REASON, code: 'BTG' }] } : {}),
    },
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'RESTful Operation',
    },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: entry.action }],
    action: crud[entry.action] ?? 'E',
    recorded: entry.at,
    outcome: fhirOutcome[entry.outcome] ?? '8',
    ...(entry.reason ? { outcomeDesc: entry.reason } : {}),
    ...(purposeOfUse.length ? { purposeOfEvent: purposeOfUse } : {}),
    agent: agents,
    source: {
      site: entry.actor.institution,
      observer: { display: 'carebase' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    ...(entities.length ? { entity: entities } : {}),
  };
}
