import { sql, type Kysely } from 'kysely';
import { grantToAppRole, type Migrations } from '../../platform/db/index.ts';

/**
 * Sessions, tokens, OAuth clients and MFA state. Secrets are never stored in clear: refresh tokens,
 * authorization codes and recovery codes as SHA-256 hashes, private keys and enrolled TOTP secrets sealed
 * with the master key.
 */
export const identityAuthMigrations: Migrations = {
  '20261123_21_identity_sessions': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table signing_key (
          kid text primary key,
          alg text not null,
          public_jwk jsonb not null,
          private_key_sealed text not null,
          created_at timestamptz not null default now(),
          retired_at timestamptz
        )`.execute(db);

      await sql`
        create table oauth_client (
          id text primary key,
          name text not null,
          kind text not null check (kind in ('public', 'backend')),
          institution_id text references institution (id),
          redirect_uris text[] not null default '{}',
          jwks jsonb,
          jwks_uri text,
          scopes text[] not null,
          roles text[] not null default '{}',
          created_at timestamptz not null default now(),
          disabled_at timestamptz
        )`.execute(db);

      await sql`
        create table session (
          id text primary key,
          kind text not null check (kind in ('password', 'authorization_code', 'client_credentials', 'mfa_enrollment')),
          user_id text references user_account (id),
          client_id text not null,
          scope text not null,
          patient_id text,
          auth_time timestamptz not null,
          mfa_at timestamptz,
          amr text[] not null default '{}',
          ip text,
          user_agent text,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          revoked_at timestamptz,
          revoked_reason text
        )`.execute(db);
      await sql`create index session_user_active on session (user_id) where revoked_at is null`.execute(db);
      await sql`create index session_client_active on session (client_id) where revoked_at is null`.execute(
        db,
      );
      await sql`create index session_expires on session (expires_at)`.execute(db);

      await sql`
        create table refresh_token (
          token_hash text primary key,
          session_id text not null references session (id) on delete cascade,
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          used_at timestamptz
        )`.execute(db);
      await sql`create index refresh_token_session on refresh_token (session_id)`.execute(db);

      await sql`
        create table authorization_code (
          code_hash text primary key,
          client_id text not null,
          user_id text not null references user_account (id),
          redirect_uri text not null,
          scope text not null,
          code_challenge text not null,
          patient_id text,
          nonce text,
          auth_time timestamptz not null,
          mfa_at timestamptz,
          amr text[] not null default '{}',
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          used_at timestamptz,
          session_id text
        )`.execute(db);

      await sql`
        create table client_assertion_jti (
          client_id text not null,
          jti text not null,
          expires_at timestamptz not null,
          primary key (client_id, jti)
        )`.execute(db);
      await sql`create index client_assertion_jti_expires on client_assertion_jti (expires_at)`.execute(db);

      await sql`
        create table mfa_enrollment (
          user_id text primary key references user_account (id) on delete cascade,
          secret_sealed text not null,
          expires_at timestamptz not null
        )`.execute(db);
      await sql`
        create table mfa_recovery_code (
          user_id text not null references user_account (id) on delete cascade,
          code_hash text not null,
          used_at timestamptz,
          primary key (user_id, code_hash)
        )`.execute(db);
      // The last TOTP time step accepted per user: a code is usable once (RFC 6238 §5.2).
      await sql`
        create table totp_step (
          user_id text primary key references user_account (id) on delete cascade,
          step bigint not null
        )`.execute(db);

      await grantToAppRole(db, [
        'signing_key',
        'oauth_client',
        'session',
        'refresh_token',
        'authorization_code',
        'client_assertion_jti',
        'mfa_enrollment',
        'mfa_recovery_code',
        'totp_step',
      ]);
    },
  },
};
