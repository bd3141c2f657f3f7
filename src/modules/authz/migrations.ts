import { sql, type Kysely } from 'kysely';
import { grantToAppRole, type Migrations } from '../../platform/db/index.ts';

const tables = [
  'authz_patient',
  'authz_consent_rule',
  'authz_consent_receipt',
  'authz_care_relationship',
  'authz_break_glass',
  'authz_notification',
  'authz_research_key',
];

/**
 * Authorization projections (kept in step with the records by `projectWrite`, inside the write transaction)
 * and the database layer's refined row visibility.
 */
export const authzMigrations: Migrations = {
  '20261123_75_authz_projections': {
    async up(db: Kysely<unknown>) {
      // `epoch` is bumped by every transaction that changes the patient's consent or care relationships.
      await sql`
        create table authz_patient (
          patient_id text primary key,
          institution_id text,
          epoch bigint not null default 0
        )`.execute(db);
      await sql`
        create table authz_consent_rule (
          consent_id text not null,
          seq integer not null,
          patient_id text not null,
          status text not null,
          effect text not null check (effect in ('permit', 'deny')),
          actors text[] not null default '{}',
          purposes text[] not null default '{}',
          categories text[] not null default '{}',
          labels text[] not null default '{}',
          research boolean not null default false,
          period_start timestamptz,
          period_end timestamptz,
          primary key (consent_id, seq)
        )`.execute(db);
      await sql`create index authz_consent_rule_patient on authz_consent_rule (patient_id)`.execute(db);
      await sql`
        create table authz_consent_receipt (
          id bigserial primary key,
          consent_id text not null,
          patient_id text not null,
          version_id text,
          status text not null,
          changed_by text not null,
          changed_at timestamptz not null default now(),
          summary jsonb not null
        )`.execute(db);
      await sql`create index authz_consent_receipt_patient on authz_consent_receipt (patient_id, id)`.execute(
        db,
      );
      await sql`
        create table authz_care_relationship (
          source_type text not null,
          source_id text not null,
          seq integer not null,
          patient_id text not null,
          kind text not null check (kind in ('care-team', 'encounter', 'order')),
          member text not null,
          category text,
          care_team_id text,
          active boolean not null,
          period_start timestamptz,
          period_end timestamptz,
          primary key (source_type, source_id, seq)
        )`.execute(db);
      await sql`create index authz_care_relationship_patient on authz_care_relationship (patient_id)`.execute(
        db,
      );
      await sql`
        create table authz_break_glass (
          id text primary key,
          subject text not null,
          practitioner_id text,
          institution_id text,
          roles text[] not null,
          patient_id text not null,
          patient_institution text,
          justification text not null,
          reason text not null,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          revoked_at timestamptz,
          acknowledged_at timestamptz,
          acknowledged_by text,
          review_comment text,
          check (expires_at > created_at)
        )`.execute(db);
      await sql`create index authz_break_glass_subject on authz_break_glass (subject, patient_id, expires_at)`.execute(
        db,
      );
      await sql`
        create table authz_notification (
          id text primary key,
          grant_id text not null references authz_break_glass (id),
          recipient_kind text not null check (recipient_kind in ('patient', 'privacy-office')),
          recipient text not null,
          payload jsonb not null,
          created_at timestamptz not null default now(),
          delivered_at timestamptz,
          attempts integer not null default 0,
          last_error text
        )`.execute(db);
      // Keyed pseudonyms and date shifts of the research export: stable across exports, never published.
      await sql`
        create table authz_research_key (
          id integer primary key check (id = 1),
          secret bytea not null
        )`.execute(db);
      await grantToAppRole(db, tables);
      await sql`
        do $$ begin
          if exists (select from pg_roles where rolname = 'carebase_app') then
            grant usage on sequence authz_consent_receipt_id_seq to carebase_app;
          end if;
        end $$`.execute(db);

      // Cross-institution visibility for the database layer: an active permit naming the caller's organization
      // or practitioner, or the caller's own active break-glass grant. SECURITY DEFINER so that the check reads
      // the projections without the caller holding privileges on them.
      await sql`
        create or replace function carebase_patient_opened(row_patient text)
        returns boolean language sql stable security definer set search_path = public, pg_temp as $$
          select exists (
              select 1 from authz_break_glass g
              where g.patient_id = row_patient
                and g.subject = nullif(current_setting('carebase.subject', true), '')
                and g.revoked_at is null and g.expires_at > now()
                and current_setting('carebase.purpose', true) in ('BTG', 'ETREAT'))
            or exists (
              select 1 from authz_consent_rule c
              where c.patient_id = row_patient and c.status = 'active' and c.effect = 'permit' and not c.research
                and (c.period_start is null or c.period_start <= now())
                and (c.period_end is null or c.period_end > now())
                and (cardinality(c.purposes) = 0 or current_setting('carebase.purpose', true) = any (c.purposes))
                and c.actors && array[
                  'Organization/' || coalesce(nullif(current_setting('carebase.institution', true), ''), '-'),
                  'Practitioner/' || coalesce(nullif(current_setting('carebase.practitioner', true), ''), '-')])
        $$`.execute(db);

      // Fail closed: no settings, an unknown kind or a role without clinical access matches nothing.
      await sql`
        create or replace function carebase_row_visible(row_institution text, row_patient text)
        returns boolean language sql stable as $$
          select case current_setting('carebase.kind', true)
            when 'system' then true
            when 'user' then coalesce(
              (row_patient is not null and (
                row_patient = nullif(current_setting('carebase.patient', true), '')
                or row_patient = any (string_to_array(nullif(current_setting('carebase.delegations', true), ''), ','))))
              or (row_institution = nullif(current_setting('carebase.institution', true), '')
                and ((row_patient is null
                    and string_to_array(current_setting('carebase.roles', true), ',')
                      && array['physician', 'nurse', 'pharmacist', 'lab-technician', 'radiology', 'billing',
                               'researcher', 'admin', 'privacy-officer'])
                  or string_to_array(current_setting('carebase.roles', true), ',')
                     && array['physician', 'nurse', 'pharmacist', 'lab-technician', 'radiology', 'billing']))
              or (row_patient is not null
                and string_to_array(current_setting('carebase.roles', true), ',')
                    && array['physician', 'nurse', 'pharmacist', 'lab-technician', 'radiology']
                and carebase_patient_opened(row_patient)),
              false)
            else false
          end
        $$`.execute(db);
    },
  },
};
