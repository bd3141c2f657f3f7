import { sql } from 'kysely';
import { systemContext } from '../../platform/context/index.ts';
import { inCallerTransaction, type Database } from '../../platform/db/index.ts';
import type { AccessPolicy } from './access-policy.ts';

const projectedTypes = [
  'Patient',
  'Consent',
  'CareTeam',
  'Encounter',
  'ServiceRequest',
  'DiagnosticReport',
  'Observation',
  'ImagingStudy',
];

/**
 * Re-projects stored resources that were written without `projectWrite` (plaintext rows: seeded data,
 * rows from before the projections existed). Idempotent: each projection replaces its own rows.
 */
export async function projectStoredResources(database: Database, policy: AccessPolicy): Promise<number> {
  const ctx = systemContext('rebuild authorization projections');
  return inCallerTransaction(database, ctx, async (trx) => {
    const { rows } = await sql<{
      resource_type: string;
      id: string;
      patient_id: string | null;
      institution_id: string;
      category: string;
      security: string[];
      body: unknown;
    }>`
      select resource_type, id, patient_id, institution_id, category, security, body from resource
      where resource_type = any (${projectedTypes}::text[]) and body is not null and not deleted
      order by case resource_type when 'Patient' then 0 else 1 end, resource_type, id`.execute(trx);
    for (const row of rows) {
      const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as {
        resourceType: string;
        id: string;
      };
      await policy.projectWrite(trx, ctx, body, {
        resourceType: row.resource_type,
        id: row.id,
        ...(row.patient_id ? { patientId: row.patient_id } : {}),
        institutionId: row.institution_id,
        category: row.category,
        security: row.security,
      });
    }
    return rows.length;
  });
}
