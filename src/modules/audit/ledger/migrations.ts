import { sql, type Kysely } from 'kysely';
import { ensureAppRole, type Migrations } from '../../../platform/db/index.ts';

/** Serializes writers across processes: indexes are assigned under it, so the log has no gaps. */
export const APPEND_LOCK_KEY = 0x617564_6974; // "audit"
/** SQLSTATE raised by `audit_lock_expecting` when the ledger is not the size a batch was built on. */
export const SIZE_MISMATCH = 'CB409';

/**
 * The ledger's own database. `carebase_app` (the runtime role) may only SELECT and INSERT; a trigger
 * refuses UPDATE, DELETE and TRUNCATE even to the owner, so removing an entry takes deliberate DDL, which
 * `verify` then catches through the Merkle tree and the checkpoints kept in object storage.
 */
export const auditMigrations: Migrations = {
  '20261123_70_audit_ledger': {
    async up(db: Kysely<unknown>) {
      await ensureAppRole(db);
      await sql`
        create table audit_entry (
          seq bigint primary key check (seq >= 0),
          at timestamptz not null,
          entry text not null,
          leaf_hash bytea not null,
          patient_id text,
          subject text,
          institution text,
          action text not null,
          category text,
          purpose text,
          outcome text not null,
          break_glass boolean not null,
          request_id text not null
        )`.execute(db);
      // Every query filter has an index ending in seq, so pages are read newest-first without a scan.
      await sql`create index audit_entry_patient on audit_entry (patient_id, seq) where patient_id is not null`.execute(
        db,
      );
      await sql`create index audit_entry_subject on audit_entry (subject, seq) where subject is not null`.execute(
        db,
      );
      await sql`create index audit_entry_at on audit_entry (at)`.execute(db);
      await sql`create index audit_entry_purpose on audit_entry (purpose, seq) where purpose is not null`.execute(
        db,
      );
      await sql`create index audit_entry_outcome on audit_entry (outcome, seq) where outcome <> 'permit'`.execute(
        db,
      );
      await sql`create index audit_entry_break_glass on audit_entry (seq) where break_glass`.execute(db);
      // Perfect-subtree hashes at levels >= 8 (one row per 128 leaves): proofs read O(log n) of them.
      await sql`
        create table audit_node (
          level smallint not null check (level >= 0),
          idx bigint not null check (idx >= 0),
          hash bytea not null,
          primary key (level, idx)
        )`.execute(db);
      await sql`
        create function audit_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'the audit ledger is append-only (% refused)', tg_op using errcode = '42501';
        end $$`.execute(db);
      for (const table of ['audit_entry', 'audit_node']) {
        await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
          for each row execute function audit_append_only()`.execute(db);
        await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
          for each statement execute function audit_append_only()`.execute(db);
        await sql`revoke all on ${sql.table(table)} from public`.execute(db);
      }
      await sql`
        do $$ begin
          if exists (select from pg_roles where rolname = 'carebase_app') then
            grant select, insert on audit_entry, audit_node to carebase_app;
          end if;
        end $$`.execute(db);
    },
  },
  '20261123_71_audit_replication': {
    async up(db: Kysely<unknown>) {
      // The ledger's identity: replication subjects and message ids carry it, so two ledgers never mix.
      await sql`create table audit_meta (key text primary key, value text not null)`.execute(db);
      await sql`insert into audit_meta (key, value) values ('ledger_id', replace(gen_random_uuid()::text, '-', ''))`.execute(
        db,
      );
      await sql`create table audit_replication_cursor (name text primary key, next_seq bigint not null)`.execute(
        db,
      );
      // Stand-in for the archive/analytics store fed from JetStream; keyed by index so replays are no-ops.
      await sql`
        create table audit_replica (
          seq bigint primary key,
          entry text not null,
          leaf_hash bytea not null,
          received_at timestamptz not null default now()
        )`.execute(db);
      for (const table of ['audit_meta', 'audit_replication_cursor', 'audit_replica']) {
        await sql`revoke all on ${sql.table(table)} from public`.execute(db);
      }
      await sql`
        do $$ begin
          if exists (select from pg_roles where rolname = 'carebase_app') then
            grant select on audit_meta to carebase_app;
            grant select, insert, update on audit_replication_cursor to carebase_app;
            grant select, insert on audit_replica to carebase_app;
          end if;
        end $$`.execute(db);
    },
  },
  '20261123_72_audit_append_lock': {
    async up(db: Kysely<unknown>) {
      // One round trip per batch: take the append lock, then read the size under it (fresh snapshot).
      await sql`
        create function audit_lock_for_append() returns bigint language plpgsql volatile as $$
        begin
          perform pg_advisory_xact_lock(${sql.lit(APPEND_LOCK_KEY)});
          return coalesce((select seq from audit_entry order by seq desc limit 1) + 1, 0);
        end $$`.execute(db);
    },
  },
  '20261206_73_audit_append_expecting': {
    async up(db: Kysely<unknown>) {
      // For a batch sent as one autocommit statement by a writer that knows the size it built on: takes the
      // append lock, then (a volatile function reads a fresh snapshot) fails with SIZE_MISMATCH unless the
      // ledger still has exactly that size, so nothing is written on top of another process's entries.
      await sql`
        create function audit_lock_expecting(expected bigint) returns bigint language plpgsql volatile as $$
        declare
          actual bigint;
        begin
          perform pg_advisory_xact_lock(${sql.lit(APPEND_LOCK_KEY)});
          actual := coalesce((select seq from audit_entry order by seq desc limit 1) + 1, 0);
          if actual <> expected then
            raise exception 'audit ledger has % entries, the batch expected %', actual, expected
              using errcode = ${sql.lit(SIZE_MISMATCH)};
          end if;
          return actual;
        end $$`.execute(db);
    },
  },
};
