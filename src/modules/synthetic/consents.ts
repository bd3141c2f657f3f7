import type { RecordCategory, SensitivityLabel } from '../records/index.ts';
import {
  coding,
  concept,
  fhirDate,
  fhirResource,
  instant,
  reference,
  system,
  type Reference,
} from './fhir.ts';
import { addResource, organizationRef, patientRef, type PatientContext } from './patient-context.ts';
import { addDays, between } from './random.ts';
import type { ConsentSpec } from './profile.ts';

const categoryDisplay: Record<RecordCategory, string> = {
  demographics: 'Demographics',
  labs: 'Laboratory results',
  imaging: 'Imaging',
  notes: 'Clinical notes',
  medications: 'Medications',
  summary: 'Problems and allergies',
  administrative: 'Administrative',
};

interface Provision {
  type: 'permit' | 'deny';
  actor?: Reference;
  purpose?: 'TREAT' | 'HRESCH';
  categories?: RecordCategory[];
  labels?: SensitivityLabel[];
  start: Date;
}

/** FHIR R4 Consent in the shape SPEC §2 describes (actor, purpose, record-category codes, period). */
function consentElements(ctx: PatientContext, status: 'active' | 'inactive', signed: Date, p: Provision) {
  const research = p.purpose === 'HRESCH';
  return {
    status,
    scope: research
      ? concept(system.consentScope, 'research', 'Research')
      : concept(system.consentScope, 'patient-privacy', 'Privacy Consent'),
    category: [concept(system.loinc, '59284-0', 'Patient Consent')],
    patient: patientRef(ctx),
    dateTime: instant(signed),
    performer: [patientRef(ctx)],
    organization: [organizationRef(ctx.institution)],
    policyRule:
      p.type === 'permit'
        ? concept(system.actCode, 'OPTIN', 'opt-in')
        : concept(system.actCode, 'OPTOUT', 'opt-out'),
    provision: {
      type: p.type,
      period: { start: fhirDate(p.start) },
      ...(p.actor
        ? {
            actor: [
              {
                role: concept(system.participationType, 'IRCP', 'information recipient'),
                reference: p.actor,
              },
            ],
          }
        : {}),
      ...(p.labels
        ? {
            securityLabel: [
              coding(system.confidentiality, 'R', 'restricted'),
              ...p.labels.map((label) => coding(system.actCode, label)),
            ],
          }
        : {}),
      ...(p.purpose ? { purpose: [coding(system.actReason, p.purpose)] } : {}),
      ...(p.categories
        ? { code: p.categories.map((c) => concept(system.recordCategory, c, categoryDisplay[c])) }
        : {}),
    },
  };
}

export function addConsents(ctx: PatientContext): void {
  const { world, faker } = ctx;
  const others = world.institutions.filter((i) => i.id !== ctx.institution.id);
  const other = others[ctx.index % Math.max(others.length, 1)];
  const careTeam = reference('CareTeam', ctx.careTeamId);
  for (const spec of ctx.profile.consents as ConsentSpec[]) {
    const signed = addDays(world.referenceDate, -between(faker, 20, 700));
    const start = signed;
    const addActive = (provision: Provision) =>
      addResource(ctx, 'Consent', 'cons', signed, consentElements(ctx, 'active', signed, provision));
    switch (spec.kind) {
      case 'permit-other-institution':
        if (!other) break;
        addActive({
          type: 'permit',
          actor: organizationRef(other),
          purpose: 'TREAT',
          categories: spec.categories,
          start,
        });
        break;
      case 'revoked-other-institution': {
        if (!other) break;
        const provision: Provision = {
          type: 'permit',
          actor: organizationRef(other),
          purpose: 'TREAT',
          categories: spec.categories,
          start,
        };
        const revoked = addDays(signed, between(faker, 10, 15));
        const current = addResource(
          ctx,
          'Consent',
          'cons',
          revoked,
          consentElements(ctx, 'inactive', signed, provision),
        );
        // Version 1 (active) stays in the history: revocation is an update, and every change keeps its receipt.
        ctx.priorVersions.push(
          fhirResource('Consent', current.id, signed, consentElements(ctx, 'active', signed, provision)),
        );
        current.meta.versionId = '2';
        break;
      }
      case 'deny-care-team':
        addActive({
          type: 'deny',
          actor: careTeam,
          categories: spec.categories,
          start,
        });
        break;
      case 'permit-restricted-to-care-team':
        addActive({
          type: 'permit',
          actor: careTeam,
          purpose: 'TREAT',
          labels: spec.labels,
          start,
        });
        break;
      case 'research-opt-in':
        addActive({
          type: 'permit',
          purpose: 'HRESCH',
          start,
        });
        break;
    }
  }
}
