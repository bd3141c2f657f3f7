import { deriveCategory, deriveSecurityLabels } from '../records/index.ts';
import type { FhirResource } from './fhir.ts';
import type { ResourceTable } from './tables.ts';
import type { Insertable } from 'kysely';

export type ResourceRow = Insertable<ResourceTable>;

/** A `resource`/`resource_history` row: category and security derived from the body, never supplied. */
export function resourceRow(
  resource: FhirResource,
  institutionId: string,
  patientId: string | null,
): ResourceRow {
  return {
    resource_type: resource.resourceType,
    id: resource.id,
    version_id: Number(resource.meta.versionId),
    patient_id: patientId,
    institution_id: institutionId,
    category: deriveCategory(resource),
    security: deriveSecurityLabels(resource),
    last_updated: resource.meta.lastUpdated,
    body: JSON.stringify(resource),
  };
}
