import { sql, type Kysely, type Transaction } from 'kysely';
import { systemContext, type RequestContext } from '../../platform/context/index.ts';
import { inCallerTransaction, type Database } from '../../platform/db/index.ts';
import { hashPassword } from '../identity/index.ts';
import { queueDemoVideos } from '../video/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import {
  credentialsFileUser,
  defaultCredentialSecret,
  demoUsers,
  writeCredentialsFile,
  type DemoCredentials,
  type DemoUser,
} from './credentials.ts';
import { buildDemoWorld, demoInstitutions } from './demo.ts';
import { generateInstitutionResources } from './institution.ts';
import { generatePatient } from './patient.ts';
import {
  defaultDemoPatients,
  defaultReferenceDate,
  defaultSeed,
  integerOption,
  resolveSeed,
} from './options.ts';
import { resourceRow, type ResourceRow } from './rows.ts';
import type { AccessPolicy } from '../authz/index.ts';
import type { DataKeyRing } from '../keys/index.ts';
import { bulkWriteResources, type BulkResource } from '../records/index.ts';
import type { FhirResource } from './fhir.ts';
import type { SeedTables } from './tables.ts';
import { buildGeneratedWorld, patientId, type World } from './world.ts';

export interface SeedOptions {
  /** Same seed, same data (ids, names, values, passwords): a 32-bit integer or any string. Default `defaultSeed`. */
  seed?: number | string;
  /** Generated patients; in the demo, patients beyond the named ones (default 100, demo 24). */
  patients?: number;
  /** Default 2; the demo uses 2 to 4. */
  institutions?: number;
  /** The SPEC demo data set: named institutions, patients and logins, plus `demo-credentials.json`. */
  demo?: boolean;
  /** Where `demo-credentials.json` is written; required with `demo`. */
  dataDir?: string;
  /** Patients per transaction. Default 100. */
  batchSize?: number;
  /** "Now" of the generated records; fixed by default so that the output does not depend on the clock. */
  referenceDate?: Date;
  /** Key for demo passwords and TOTP secrets; defaults to one derived from the (public) seed. */
  credentialSecret?: string;
  /** Called with (0, total) before the first batch and after every committed batch. May throw to stop. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The records write path: bodies encrypted under per-patient data keys, search index, and the authz
   * projection hook for every resource. Without it rows are written as plaintext `body` (legacy rows the
   * records API still reads); every production caller (`carebase seed`, `carebase start`) passes it.
   */
  records?: SeedRecordsWriter;
}

export interface SeedRecordsWriter {
  keys: DataKeyRing;
  policy: AccessPolicy;
}

export interface SeedResult {
  /** The numeric seed used (string seeds are hashed to one). */
  seed: number;
  demo: boolean;
  institutions: number;
  patients: { total: number; created: number; skipped: number };
  /** Rows written to `resource` (current versions) in this run, institution resources included. */
  resources: number;
  users: { total: number; created: number };
  /** What the database holds after the run: equal for an interrupted-then-resumed run and a clean one. */
  stored: { patients: number; resources: number };
  /** Path of `demo-credentials.json` (demo only). The result itself never carries passwords: it gets logged. */
  credentialsFile: string | undefined;
  elapsedMs: number;
}

const defaultPatients = 100;
const defaultBatchSize = 100;
/** 9 bound parameters a row: 1,000 rows stay far below PostgreSQL's 65,535-parameter limit. */
const rowsPerStatement = 1_000;

/**
 * Seeds deterministic synthetic data through the RLS-governed path (`inCallerTransaction` with a system
 * context). Institutions, staff and logins commit first; then each batch of patients commits with all of its
 * resources, so an interrupted run leaves only whole patients, and a re-run skips them (ids are
 * deterministic) and finishes the rest. Memory stays bounded by one batch.
 */
export async function seedSyntheticData<DB>(
  database: Database<DB>,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const started = performance.now();
  const demo = options.demo ?? false;
  const seed = resolveSeed(options.seed ?? defaultSeed);
  if (demo && !options.dataDir) {
    throw new AppError('invalid_request', 'The demo data set needs a dataDir for its credentials file');
  }
  const patients = integerOption(
    'patients',
    options.patients ?? (demo ? defaultDemoPatients : defaultPatients),
    0,
    100_000_000,
  );
  const institutions = demo
    ? integerOption('institutions (demo)', options.institutions ?? 2, 2, demoInstitutions.length)
    : integerOption('institutions', options.institutions ?? 2, 1, 10_000);
  const batchSize = integerOption('batchSize', options.batchSize ?? defaultBatchSize, 1, 10_000);
  const referenceDate = options.referenceDate ?? defaultReferenceDate;
  const db = database as unknown as Database<SeedTables>;
  const ctx = systemContext('seed synthetic data');

  const world = demo
    ? buildDemoWorld(seed, institutions, referenceDate)
    : buildGeneratedWorld(seed, institutions, referenceDate);
  const users = demo ? demoUsers(world, options.credentialSecret ?? defaultCredentialSecret(seed)) : [];
  const first = await seedInstitutionsAndUsers(db, ctx, world, users, options.records);

  const total = world.namedPatients.length + patients;
  let created = 0;
  let resources = first.resources;
  options.onProgress?.(0, total);
  for (let start = 0; start < total; start += batchSize) {
    const end = Math.min(total, start + batchSize);
    const batch = await inCallerTransaction(db, ctx, (trx) =>
      seedPatientBatch(trx, world, start, end, options.records, ctx),
    );
    created += batch.patients;
    resources += batch.resources;
    options.onProgress?.(end, total);
  }

  const stored = await inCallerTransaction(db, ctx, async (trx) => {
    const { rows } = await sql<{ patients: number; resources: number }>`
      select count(*) filter (where resource_type = 'Patient')::int as patients, count(*)::int as resources
      from resource`.execute(trx);
    return rows[0] ?? { patients: 0, resources: 0 };
  });
  // Tutorial videos are generated by a background job (ffmpeg), so seeding stays fast.
  if (demo) await queueDemoVideos(database as Database, users);
  const credentialsFile =
    demo && options.dataDir
      ? await writeCredentialsFile(options.dataDir, demoCredentials(world, users))
      : undefined;
  return {
    seed,
    demo,
    institutions: world.institutions.length,
    patients: { total, created, skipped: total - created },
    resources,
    users: { total: users.length, created: first.usersCreated },
    stored,
    credentialsFile,
    elapsedMs: Math.round(performance.now() - started),
  };
}

async function seedInstitutionsAndUsers(
  db: Database<SeedTables>,
  ctx: RequestContext,
  world: World,
  users: DemoUser[],
  writer: SeedRecordsWriter | undefined,
): Promise<{ resources: number; usersCreated: number }> {
  const existing = new Set<string>();
  if (users.length > 0) {
    const rows = await inCallerTransaction(db, ctx, (trx) =>
      trx
        .selectFrom('user_account')
        .select('username')
        .where(
          'username',
          'in',
          users.map((u) => u.username),
        )
        .execute(),
    );
    for (const row of rows) existing.add(row.username);
  }
  const missing = users.filter((u) => !existing.has(u.username));
  // Hashed before the transaction opens: argon2 is deliberately slow and runs on the libuv thread pool.
  const hashes = await Promise.all(missing.map((u) => hashPassword(u.password)));

  return inCallerTransaction(db, ctx, async (trx) => {
    await trx
      .insertInto('institution')
      .values(world.institutions.map((i) => ({ id: i.id, name: i.name })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    let written: number;
    if (writer) {
      const items = world.institutions.flatMap((institution) =>
        generateInstitutionResources(world, institution).map((r) => bulkItem(r, institution.id, null, true)),
      );
      written = await bulkWriteResources(trx as unknown as Kysely<unknown>, writer, ctx, items);
    } else {
      const rows = world.institutions.flatMap((institution) =>
        generateInstitutionResources(world, institution).map((r) => resourceRow(r, institution.id, null)),
      );
      written = await insertRows(trx, 'resource', rows);
      await insertRows(trx, 'resource_history', rows);
    }
    if (missing.length > 0) {
      await trx
        .insertInto('user_account')
        .values(
          missing.map((u, i) => ({
            id: u.id,
            username: u.username,
            display_name: u.name,
            password_hash: hashes[i] as string,
            totp_secret: u.totpSecret ?? null,
            roles: u.roles,
            institution_id: u.institution,
            practitioner_id: u.practitionerId ?? null,
            // A delegate is not the patient: the delegation row, not patient_id, links them to the record.
            patient_id: u.delegation ? null : (u.patientId ?? null),
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    const delegations = users.flatMap((u) =>
      u.delegation
        ? [
            {
              delegate_user_id: u.id,
              patient_id: u.delegation.patientId,
              relationship: u.delegation.relationship,
            },
          ]
        : [],
    );
    if (delegations.length > 0) {
      await trx
        .insertInto('delegation')
        .values(delegations)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    return { resources: written, usersCreated: missing.length };
  });
}

async function seedPatientBatch(
  trx: Transaction<SeedTables>,
  world: World,
  start: number,
  end: number,
  writer: SeedRecordsWriter | undefined,
  ctx: RequestContext,
): Promise<{ patients: number; resources: number }> {
  const ids = Array.from({ length: end - start }, (_, k) => patientId(world, start + k));
  const present = await trx
    .selectFrom('resource')
    .select('id')
    .where('resource_type', '=', 'Patient')
    .where('id', 'in', ids)
    .execute();
  const existing = new Set(present.map((r) => r.id));
  if (writer) {
    const items: BulkResource[] = [];
    let patients = 0;
    for (let index = start; index < end; index++) {
      if (existing.has(patientId(world, index))) continue;
      const patient = generatePatient(world, index);
      patients++;
      for (const r of patient.resources)
        items.push(bulkItem(r, patient.institutionId, patient.patientId, true));
      for (const r of patient.priorVersions)
        items.push(bulkItem(r, patient.institutionId, patient.patientId, false));
    }
    if (patients === 0) return { patients: 0, resources: 0 };
    const written = await bulkWriteResources(trx as unknown as Kysely<unknown>, writer, ctx, items);
    return { patients, resources: written };
  }
  const current: ResourceRow[] = [];
  const prior: ResourceRow[] = [];
  const createdIds: string[] = [];
  for (let index = start; index < end; index++) {
    if (existing.has(patientId(world, index))) continue;
    const patient = generatePatient(world, index);
    createdIds.push(patient.patientId);
    for (const r of patient.resources) current.push(resourceRow(r, patient.institutionId, patient.patientId));
    for (const r of patient.priorVersions)
      prior.push(resourceRow(r, patient.institutionId, patient.patientId));
  }
  if (createdIds.length === 0) return { patients: 0, resources: 0 };
  const written = await insertRows(trx, 'resource', current);
  // History copies the current rows server-side instead of sending every body twice.
  const columns = [
    'resource_type',
    'id',
    'version_id',
    'patient_id',
    'institution_id',
    'category',
    'security',
    'last_updated',
    'body',
  ] as const;
  await trx
    .insertInto('resource_history')
    .columns(columns)
    .expression(trx.selectFrom('resource').select(columns).where('patient_id', 'in', createdIds))
    .onConflict((oc) => oc.doNothing())
    .execute();
  await insertRows(trx, 'resource_history', prior);
  return { patients: createdIds.length, resources: written };
}

async function insertRows(
  trx: Transaction<SeedTables>,
  table: 'resource' | 'resource_history',
  rows: ResourceRow[],
): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const result = await trx
      .insertInto(table)
      .values(rows.slice(i, i + rowsPerStatement))
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    written += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return written;
}

function bulkItem(
  resource: FhirResource,
  institutionId: string,
  patientId: string | null,
  current: boolean,
): BulkResource {
  return { resource: resource as BulkResource['resource'], institutionId, patientId, current };
}

function demoCredentials(world: World, users: DemoUser[]): DemoCredentials {
  const usernameOf = new Map(
    world.institutions.flatMap((i) => i.staff.map((s) => [s.practitionerId, s.username])),
  );
  return {
    users: users.map(credentialsFileUser),
    patients: world.namedPatients.map((_, index) => {
      const patient = generatePatient(world, index);
      return {
        id: patient.patientId,
        institution: patient.institutionId,
        name: patient.name,
        careTeam: patient.careTeam.flatMap((m) => usernameOf.get(m.practitionerId) ?? []),
      };
    }),
  };
}
