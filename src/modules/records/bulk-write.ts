import { sql, type Kysely } from 'kysely';
import type { AccessPolicy, ResourceFacts } from '../authz/access-policy.ts';
import type { RequestContext } from '../../platform/context/index.ts';
import { keyOwnerFor, type DataKeyRing } from '../keys/index.ts';
import { deriveCategory, deriveSecurityLabels } from './classification.ts';
import { indexEntries } from './search-index.ts';
import { insertIndexRows, sealResource, type IndexRows } from './store.ts';
import type { FhirResource } from './validation.ts';

/** A resource version prepared by a trusted loader: id, versionId and lastUpdated already set. */
export interface BulkResource {
  resource: FhirResource & { id: string; meta: { versionId: string; lastUpdated: string } };
  institutionId: string;
  patientId: string | null;
  /** Current version (resource + history + index + projection) or a superseded one (history only). */
  current: boolean;
}

const rowsPerStatement = 400;

/**
 * The encrypted bulk path for trusted loaders (synthetic data, imports) running under a system context:
 * the same encryption, derivation, index and authz projection as the API's writes, with multi-row inserts.
 * Existing rows are left alone (re-runs skip them). Returns the number of current rows inserted.
 */
export async function bulkWriteResources(
  trx: Kysely<unknown>,
  deps: { keys: DataKeyRing; policy: AccessPolicy },
  ctx: RequestContext,
  items: readonly BulkResource[],
): Promise<number> {
  const keys = new Map<string, { owner: string; dek: Buffer }>();
  const prepared: {
    item: BulkResource;
    facts: ResourceFacts & { id: string };
    version: number;
    owner: string;
    sealed: Buffer;
  }[] = [];
  for (const item of items) {
    const owner = keyOwnerFor(item.institutionId, item.patientId);
    let key = keys.get(owner.owner);
    if (!key) {
      key = { owner: owner.owner, dek: await deps.keys.forWrite(trx, owner) };
      keys.set(owner.owner, key);
    }
    const version = Number(item.resource.meta.versionId);
    const facts: ResourceFacts & { id: string } = {
      resourceType: item.resource.resourceType,
      id: item.resource.id,
      ...(item.patientId ? { patientId: item.patientId } : {}),
      institutionId: item.institutionId,
      category: deriveCategory(item.resource),
      security: deriveSecurityLabels(item.resource),
    };
    prepared.push({
      item,
      facts,
      version,
      owner: key.owner,
      sealed: sealResource(key.dek, item.resource, version),
    });
  }
  const tuple = (p: (typeof prepared)[number]) =>
    sql`(${p.facts.resourceType}, ${p.facts.id}, ${p.version}, ${p.item.patientId}, ${p.facts.institutionId},
      ${p.facts.category}, ${[...p.facts.security]}::text[], ${p.item.resource.meta.lastUpdated}::timestamptz,
      false, null, ${p.sealed}, ${p.owner})`;
  const columns = sql`resource_type, id, version_id, patient_id, institution_id, category, security, last_updated,
    deleted, body, body_enc, key_owner`;
  let inserted = 0;
  const current = prepared.filter((p) => p.item.current);
  const fresh = new Set<string>();
  for (let i = 0; i < current.length; i += rowsPerStatement) {
    const chunk = current.slice(i, i + rowsPerStatement);
    const result = await sql<{ resource_type: string; id: string }>`insert into resource (${columns})
      values ${sql.join(chunk.map(tuple))} on conflict do nothing returning resource_type, id`.execute(trx);
    for (const row of result.rows) fresh.add(`${row.resource_type}/${row.id}`);
    inserted += result.rows.length;
  }
  for (let i = 0; i < prepared.length; i += rowsPerStatement) {
    const chunk = prepared.slice(i, i + rowsPerStatement);
    await sql`insert into resource_history (${columns}) values ${sql.join(chunk.map(tuple))}
      on conflict do nothing`.execute(trx);
  }
  const blind = (v: string) => deps.keys.blindIndex(v);
  const written = current.filter((p) => fresh.has(`${p.facts.resourceType}/${p.facts.id}`));
  const index: IndexRows[] = [];
  for (const p of written) {
    index.push({
      type: p.facts.resourceType,
      id: p.facts.id,
      patientId: p.item.patientId,
      institutionId: p.facts.institutionId,
      entries: await indexEntries(p.item.resource, blind),
    });
  }
  await insertIndexRows(trx, index);
  for (const p of written) await deps.policy.projectWrite(trx, ctx, p.item.resource, p.facts);
  return inserted;
}
