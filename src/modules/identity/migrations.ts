import { sql, type Kysely } from 'kysely';
import { grantToAppRole, type Migrations } from '../../platform/db/index.ts';
import { identityAuthMigrations } from './auth-migrations.ts';
import { delegationMigrations } from './delegation-migrations.ts';

/** Accounts. Not clinical rows; reached only through the identity module. The identity issue extends it. */
export const identityMigrations: Migrations = {
  '20261123_20_identity_accounts': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table user_account (
          id text primary key,
          username text not null unique,
          display_name text not null,
          password_hash text not null,
          totp_secret text,
          roles text[] not null,
          institution_id text not null references institution (id),
          practitioner_id text,
          patient_id text,
          created_at timestamptz not null default now(),
          disabled_at timestamptz
        )`.execute(db);
      await sql`
        create table delegation (
          delegate_user_id text not null references user_account (id),
          patient_id text not null,
          relationship text not null check (relationship in ('parent', 'guardian', 'proxy')),
          created_at timestamptz not null default now(),
          primary key (delegate_user_id, patient_id)
        )`.execute(db);
      await grantToAppRole(db, ['user_account', 'delegation']);
    },
  },
  ...identityAuthMigrations,
  ...delegationMigrations,
};
