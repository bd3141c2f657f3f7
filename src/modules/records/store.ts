import { sql, type Kysely, type RawBuilder } from 'kysely';
import { open, seal } from '../../platform/crypto/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { DataKeyRing } from '../keys/index.ts';
import type { IndexEntry } from './search-index.ts';
import type { FhirResource } from './validation.ts';

/** A stored version with the data key row read in the same statement. */
export interface StoredRow {
  resource_type: string;
  id: string;
  version_id: number;
  patient_id: string | null;
  institution_id: string;
  category: string;
  security: string[];
  /** `last_updated` as PostgreSQL text, microseconds intact, for cursors. */
  lu: string;
  /** The sort value as PostgreSQL text when a search sorts by a date parameter. */
  sv?: string;
  deleted: boolean;
  body_enc: Uint8Array | null;
  body: unknown;
  key_owner: string | null;
  kek_id: string | null;
  wrapped: Uint8Array | null;
  /** The patient's consent epoch in the same snapshot (text; null: none yet, i.e. 0), for the policy. */
  epoch: string | null;
}

export const rowColumns = sql`r.resource_type, r.id, r.version_id, r.patient_id, r.institution_id, r.category,
  r.security, r.last_updated::text as lu, r.deleted, r.body_enc, r.body, r.key_owner, k.kek_id, k.wrapped,
  (select a.epoch::text from authz_patient a where a.patient_id = r.patient_id) as epoch`;

/** Associated data binding a ciphertext to its row: moved to another id or version, it fails to open. */
export function aadFor(type: string, id: string, version: number): string {
  return `${type}/${id}/${version}`;
}

export function sealResource(dek: Buffer, resource: FhirResource, version: number): Buffer {
  return seal(
    dek,
    Buffer.from(JSON.stringify(resource), 'utf8'),
    aadFor(resource.resourceType, resource.id!, version),
  );
}

/** Decrypts a row to the resource's JSON text as stored; `gone` when its patient's key was shredded. */
export async function openRowText(ring: DataKeyRing, row: StoredRow): Promise<string> {
  if (!row.body_enc) {
    // Rows written before encryption existed keep their plaintext body until re-written.
    if (row.body) return typeof row.body === 'string' ? row.body : JSON.stringify(row.body);
    throw new AppError('internal', 'Stored resource has no body');
  }
  const dek = row.key_owner ? await ring.unwrap(row.key_owner, row.kek_id, row.wrapped) : undefined;
  if (!dek) throw new AppError('gone', 'This record has been erased', { reason: 'crypto_shredded' });
  return open(dek, row.body_enc, aadFor(row.resource_type, row.id, row.version_id)).toString('utf8');
}

/** Decrypts a row; `gone` when its patient's key was shredded. */
export async function openRow(ring: DataKeyRing, row: StoredRow): Promise<FhirResource> {
  return JSON.parse(await openRowText(ring, row)) as FhirResource;
}

async function rows(trx: Kysely<unknown>, query: RawBuilder<StoredRow>): Promise<StoredRow[]> {
  return (await query.execute(trx)).rows;
}

export async function selectCurrent(
  trx: Kysely<unknown>,
  type: string,
  id: string,
  forUpdate = false,
): Promise<StoredRow | undefined> {
  const lock = forUpdate ? sql`for update of r` : sql``;
  const found = await rows(
    trx,
    sql<StoredRow>`select ${rowColumns} from resource r left join data_key k on k.owner = r.key_owner
      where r.resource_type = ${type} and r.id = ${id} ${lock}`,
  );
  return found[0];
}

export async function selectVersion(
  trx: Kysely<unknown>,
  type: string,
  id: string,
  version: number,
): Promise<StoredRow | undefined> {
  const found = await rows(
    trx,
    sql<StoredRow>`select ${rowColumns} from resource_history r left join data_key k on k.owner = r.key_owner
      where r.resource_type = ${type} and r.id = ${id} and r.version_id = ${version}`,
  );
  return found[0];
}

export function selectHistory(trx: Kysely<unknown>, type: string, id: string, limit: number) {
  return rows(
    trx,
    sql<StoredRow>`select ${rowColumns} from resource_history r left join data_key k on k.owner = r.key_owner
      where r.resource_type = ${type} and r.id = ${id} order by r.version_id desc limit ${limit}`,
  );
}

/** Current rows for `Type/id` references (for `_include`), at most `limit`. */
export function selectReferenced(trx: Kysely<unknown>, refs: readonly string[], limit: number) {
  if (refs.length === 0) return Promise.resolve([]);
  return rows(
    trx,
    sql<StoredRow>`select ${rowColumns} from resource r left join data_key k on k.owner = r.key_owner
      where r.resource_type || '/' || r.id = any(${[...refs]}::text[]) and not r.deleted
      order by r.resource_type, r.id limit ${limit}`,
  );
}

/** Current rows whose `param` references any of `refs` (for `_revinclude`). */
export function selectReferencing(
  trx: Kysely<unknown>,
  type: string,
  param: string,
  refs: readonly string[],
  limit: number,
) {
  if (refs.length === 0) return Promise.resolve([]);
  return rows(
    trx,
    sql<StoredRow>`select ${rowColumns} from resource r left join data_key k on k.owner = r.key_owner
      where r.resource_type = ${type} and not r.deleted and exists (
        select 1 from resource_search s where s.resource_type = r.resource_type and s.id = r.id
          and s.param = ${param} and s.ref = any(${[...refs]}::text[]))
      order by r.id limit ${limit}`,
  );
}

/** References a set of resources holds under `param` (for `_include`). */
export async function referencesFrom(
  trx: Kysely<unknown>,
  type: string,
  ids: readonly string[],
  param: string,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await sql<{ ref: string }>`select distinct ref from resource_search
    where resource_type = ${type} and id = any(${[...ids]}::text[]) and param = ${param} and ref is not null`.execute(
    trx,
  );
  return result.rows.map((r) => r.ref);
}

export interface NewVersion {
  resource: FhirResource & { id: string };
  version: number;
  patientId: string | null;
  institutionId: string;
  category: string;
  security: string[];
  lastUpdated: string;
  keyOwner: string;
  sealed: Buffer;
  index: IndexEntry[];
}

/** Writes a version to `resource` (insert or replace) and `resource_history`, and replaces its search rows. */
export async function writeVersion(trx: Kysely<unknown>, v: NewVersion): Promise<void> {
  const type = v.resource.resourceType;
  const values = sql`${type}, ${v.resource.id}, ${v.version}, ${v.patientId}, ${v.institutionId}, ${v.category},
    ${v.security}::text[], ${v.lastUpdated}::timestamptz, false, null, ${v.sealed}, ${v.keyOwner}`;
  const columns = sql`resource_type, id, version_id, patient_id, institution_id, category, security,
    last_updated, deleted, body, body_enc, key_owner`;
  await sql`insert into resource (${columns}) values (${values})
    on conflict (resource_type, id) do update set version_id = excluded.version_id,
      patient_id = excluded.patient_id, institution_id = excluded.institution_id, category = excluded.category,
      security = excluded.security, last_updated = excluded.last_updated, deleted = false, body = null,
      body_enc = excluded.body_enc, key_owner = excluded.key_owner`.execute(trx);
  await sql`insert into resource_history (${columns}) values (${values})`.execute(trx);
  await sql`delete from resource_search where resource_type = ${type} and id = ${v.resource.id}`.execute(trx);
  await insertIndex(trx, type, v.resource.id, v.patientId, v.institutionId, v.index);
}

const indexRowsPerStatement = 1_000;

/** Search rows of one resource, as `insertIndexRows` takes them. */
export interface IndexRows {
  type: string;
  id: string;
  patientId: string | null;
  institutionId: string;
  entries: readonly IndexEntry[];
}

export function insertIndex(
  trx: Kysely<unknown>,
  type: string,
  id: string,
  patientId: string | null,
  institutionId: string,
  entries: readonly IndexEntry[],
): Promise<void> {
  return insertIndexRows(trx, [{ type, id, patientId, institutionId, entries }]);
}

/** Multi-row inserts across resources (bulk loads write thousands of index rows per batch). */
export async function insertIndexRows(trx: Kysely<unknown>, resources: readonly IndexRows[]): Promise<void> {
  const tuples = resources.flatMap((r) =>
    r.entries.map(
      (e) => sql`(${r.type}, ${r.id}, ${r.patientId}, ${r.institutionId}, ${e.param}, ${e.token ?? null},
        ${e.ref ?? null}, ${e.dStart ?? null}::timestamptz, ${e.dEnd ?? null}::timestamptz,
        ${e.num ?? null}::double precision)`,
    ),
  );
  for (let i = 0; i < tuples.length; i += indexRowsPerStatement) {
    await sql`insert into resource_search (resource_type, id, patient_id, institution_id, param, token, ref,
      d_start, d_end, num) values ${sql.join(tuples.slice(i, i + indexRowsPerStatement))}`.execute(trx);
  }
}

/** The institution a patient's compartment belongs to, if the caller can see that patient. */
export async function patientInstitution(
  trx: Kysely<unknown>,
  patientId: string,
): Promise<string | undefined> {
  const result = await sql<{ institution_id: string }>`select institution_id from resource
    where resource_type = 'Patient' and id = ${patientId}`.execute(trx);
  return result.rows[0]?.institution_id;
}
