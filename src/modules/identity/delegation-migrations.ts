import { sql, type Kysely } from 'kysely';
import { grantToAppRole, type Migrations } from '../../platform/db/index.ts';

/**
 * Delegates a patient manages themself: an optional end date on each delegation, and one-time invitations
 * (only a SHA-256 of the code is stored) that the invited person accepts by creating their own login.
 */
export const delegationMigrations: Migrations = {
  '20261123_80_identity_delegate_invitations': {
    async up(db: Kysely<unknown>) {
      await sql`alter table delegation add column ends_at timestamptz`.execute(db);
      await sql`alter table delegation add column invitation_id text`.execute(db);
      await sql`
        create table delegate_invitation (
          id text primary key,
          code_hash text not null unique,
          patient_id text not null,
          institution_id text not null references institution (id),
          invited_by text not null references user_account (id),
          name text not null,
          email text not null,
          relationship text not null check (relationship in ('parent', 'guardian', 'proxy')),
          ends_at timestamptz,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          accepted_at timestamptz,
          accepted_by text references user_account (id),
          cancelled_at timestamptz
        )`.execute(db);
      await sql`create index delegate_invitation_patient on delegate_invitation (patient_id)`.execute(db);
      await grantToAppRole(db, ['delegate_invitation']);
    },
  },
};
