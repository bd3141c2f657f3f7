import { sql, type Kysely } from 'kysely';
import { grantToAppRole, type Migrations } from '../../platform/db/index.ts';

/**
 * Encrypted bodies, per-patient data keys and the search index. Resource bodies move to `body_enc`
 * (AES-256-GCM under the owner's data key); the plaintext `body` column stays only for rows written before
 * this migration and is null for every new write. `resource_search` holds only what search needs: codes,
 * references, dates, numbers, and HMAC blind indexes for names and identifiers.
 */
export const recordsEncryptionMigrations: Migrations = {
  '20261123_30_records_encryption': {
    async up(db: Kysely<unknown>) {
      for (const table of ['resource', 'resource_history']) {
        await sql`alter table ${sql.table(table)} alter column body drop not null`.execute(db);
        await sql`alter table ${sql.table(table)} add column body_enc bytea`.execute(db);
        await sql`alter table ${sql.table(table)} add column key_owner text`.execute(db);
      }

      // One row per data key owner: a patient, or an institution for resources outside any compartment.
      await sql`
        create table data_key (
          owner text primary key,
          institution_id text not null references institution (id),
          patient_id text,
          kek_id text not null,
          wrapped bytea,
          created_at timestamptz not null default now(),
          rewrapped_at timestamptz,
          shredded_at timestamptz
        )`.execute(db);
      await sql`create index data_key_kek on data_key (kek_id) where wrapped is not null`.execute(db);

      await sql`
        create table resource_search (
          resource_type text not null,
          id text not null,
          patient_id text,
          institution_id text not null,
          param text not null,
          token text,
          ref text,
          d_start timestamptz,
          d_end timestamptz,
          num double precision
        )`.execute(db);
      await sql`create index resource_search_token on resource_search (param, token) where token is not null`.execute(
        db,
      );
      await sql`create index resource_search_ref on resource_search (param, ref) where ref is not null`.execute(
        db,
      );
      await sql`create index resource_search_date on resource_search (param, d_start) where d_start is not null`.execute(
        db,
      );
      await sql`create index resource_search_row on resource_search (resource_type, id)`.execute(db);
      await sql`create index resource_last_updated on resource (resource_type, last_updated, id)`.execute(db);
      await sql`create index resource_patient_type on resource (patient_id, resource_type) where patient_id is not null`.execute(
        db,
      );

      for (const table of ['data_key', 'resource_search']) {
        await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
        await sql`alter table ${sql.table(table)} force row level security`.execute(db);
        await sql`
          create policy caller_visible on ${sql.table(table)}
          using (carebase_row_visible(institution_id, patient_id))
          with check (carebase_row_visible(institution_id, patient_id))`.execute(db);
      }
      await grantToAppRole(db, ['data_key', 'resource_search']);
    },
  },
  /**
   * Search filters probe `resource_search` per candidate row by (type, id, param). With only a
   * (type, id) index the planner may AND it with the (param, token) index, whose bitmap covers a whole
   * common token (`category=laboratory`: most observations) on every probe; with the parameter in the
   * row index each probe reads the row's few entries for that parameter, whatever the statistics say.
   */
  '20261123_90_records_search_probe': {
    async up(db: Kysely<unknown>) {
      await sql`create index if not exists resource_search_probe on resource_search (resource_type, id, param)`.execute(
        db,
      );
      await sql`drop index if exists resource_search_row`.execute(db);
    },
  },
};
