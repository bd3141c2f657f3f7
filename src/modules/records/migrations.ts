import { sql, type Kysely } from 'kysely';
import { ensureAppRole, grantToAppRole, type Migrations } from '../../platform/db/index.ts';

/**
 * Clinical storage. Every clinical table has FORCE ROW LEVEL SECURITY and a policy that reads the
 * caller's transaction-local settings (see platform/db/caller.ts); with no settings it yields zero rows.
 * The authorization issue refines `carebase_row_visible`; tables only ever call it.
 */
export const recordsMigrations: Migrations = {
  '20261123_10_records_foundation': {
    async up(db: Kysely<unknown>) {
      await ensureAppRole(db);

      await sql`
        create table institution (
          id text primary key,
          name text not null,
          created_at timestamptz not null default now()
        )`.execute(db);

      await sql`
        create or replace function carebase_row_visible(row_institution text, row_patient text)
        returns boolean language sql stable as $$
          select case current_setting('carebase.kind', true)
            when 'system' then true
            when 'user' then
              row_institution = nullif(current_setting('carebase.institution', true), '')
              or row_patient = nullif(current_setting('carebase.patient', true), '')
              or row_patient = any(string_to_array(nullif(current_setting('carebase.delegations', true), ''), ','))
            else false
          end
        $$`.execute(db);

      for (const table of ['resource', 'resource_history']) {
        await sql`
          create table ${sql.table(table)} (
            resource_type text not null,
            id text not null,
            version_id integer not null check (version_id > 0),
            patient_id text,
            institution_id text not null references institution (id),
            category text not null,
            security text[] not null default '{}',
            last_updated timestamptz not null,
            deleted boolean not null default false,
            body jsonb not null
          )`.execute(db);
        await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
        await sql`alter table ${sql.table(table)} force row level security`.execute(db);
        await sql`
          create policy caller_visible on ${sql.table(table)}
          using (carebase_row_visible(institution_id, patient_id))
          with check (carebase_row_visible(institution_id, patient_id))`.execute(db);
      }
      await sql`alter table resource add primary key (resource_type, id)`.execute(db);
      await sql`alter table resource_history add primary key (resource_type, id, version_id)`.execute(db);
      await sql`create index resource_patient_category on resource (patient_id, category) where patient_id is not null`.execute(
        db,
      );
      await sql`create index resource_institution_type on resource (institution_id, resource_type)`.execute(
        db,
      );

      await grantToAppRole(db, ['institution', 'resource', 'resource_history']);
    },
  },
};
