import type { ColumnType, Generated, Kysely } from 'kysely';

/** Written as a Date (or ISO string), read as a Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** jsonb: written as JSON text, read as a value. */
type Json<T> = ColumnType<T, string, string>;

export interface InstitutionTable {
  id: string;
  name: string;
  created_at: Generated<Date>;
}

export interface UserAccountTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  /** Base32 (seeded) or `sealed:` + AES-GCM (enrolled through the API). */
  totp_secret: string | null;
  roles: string[];
  institution_id: string;
  practitioner_id: string | null;
  patient_id: string | null;
  created_at: Generated<Date>;
  disabled_at: NullableTimestamp;
}

export interface DelegationTable {
  delegate_user_id: string;
  patient_id: string;
  relationship: 'parent' | 'guardian' | 'proxy';
  created_at: Generated<Date>;
  /** After this instant the delegation grants nothing (null: until the patient removes it). */
  ends_at: NullableTimestamp;
  invitation_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DelegateInvitationTable {
  id: string;
  /** SHA-256 (hex) of the one-time code; the code itself is shown once to the patient. */
  code_hash: string;
  patient_id: string;
  institution_id: string;
  invited_by: string;
  name: string;
  email: string;
  relationship: 'parent' | 'guardian' | 'proxy';
  ends_at: NullableTimestamp;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_by: string | null;
  cancelled_at: NullableTimestamp;
}

export interface SigningKeyTable {
  kid: string;
  alg: string;
  public_jwk: Json<Record<string, unknown>>;
  private_key_sealed: string;
  created_at: Timestamp;
  retired_at: NullableTimestamp;
}

export interface OAuthClientTable {
  id: string;
  name: string;
  kind: 'public' | 'backend';
  institution_id: string | null;
  redirect_uris: string[];
  jwks: ColumnType<{ keys: Record<string, unknown>[] } | null, string | null, string | null>;
  jwks_uri: string | null;
  scopes: string[];
  roles: string[];
  created_at: Generated<Date>;
  disabled_at: NullableTimestamp;
}

export type SessionKind = 'password' | 'authorization_code' | 'client_credentials' | 'mfa_enrollment';

export interface SessionTable {
  id: string;
  kind: SessionKind;
  user_id: string | null;
  client_id: string;
  scope: string;
  patient_id: string | null;
  auth_time: Timestamp;
  mfa_at: NullableTimestamp;
  amr: string[];
  ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
}

export interface RefreshTokenTable {
  token_hash: string;
  session_id: string;
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface AuthorizationCodeTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  scope: string;
  code_challenge: string;
  patient_id: string | null;
  nonce: string | null;
  auth_time: Timestamp;
  mfa_at: NullableTimestamp;
  amr: string[];
  created_at: Generated<Date>;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  session_id: string | null;
}

export interface ClientAssertionJtiTable {
  client_id: string;
  jti: string;
  expires_at: Timestamp;
}

export interface MfaEnrollmentTable {
  user_id: string;
  secret_sealed: string;
  expires_at: Timestamp;
}

export interface MfaRecoveryCodeTable {
  user_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
}

export interface TotpStepTable {
  user_id: string;
  step: ColumnType<string, number | string, number | string>;
}

/** The tables the identity module reads and writes (not clinical rows: no row-level security applies). */
export interface IdentityDB {
  institution: InstitutionTable;
  user_account: UserAccountTable;
  delegation: DelegationTable;
  delegate_invitation: DelegateInvitationTable;
  signing_key: SigningKeyTable;
  oauth_client: OAuthClientTable;
  session: SessionTable;
  refresh_token: RefreshTokenTable;
  authorization_code: AuthorizationCodeTable;
  client_assertion_jti: ClientAssertionJtiTable;
  mfa_enrollment: MfaEnrollmentTable;
  mfa_recovery_code: MfaRecoveryCodeTable;
  totp_step: TotpStepTable;
}

export type IdentityKysely = Kysely<IdentityDB>;
