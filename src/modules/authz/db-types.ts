import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

/** The authorization module's own tables (migrations.ts). */
export interface AuthzDB {
  authz_patient: {
    patient_id: string;
    institution_id: string | null;
    epoch: ColumnType<string, number | string, number | string>;
  };
  authz_consent_rule: {
    consent_id: string;
    seq: number;
    patient_id: string;
    status: string;
    effect: 'permit' | 'deny';
    actors: string[];
    purposes: string[];
    categories: string[];
    labels: string[];
    research: boolean;
    period_start: NullableTimestamp;
    period_end: NullableTimestamp;
  };
  authz_consent_receipt: {
    id: Generated<string>;
    consent_id: string;
    patient_id: string;
    version_id: string | null;
    status: string;
    changed_by: string;
    changed_at: Generated<Date>;
    summary: ColumnType<unknown, string, string>;
  };
  authz_care_relationship: {
    source_type: string;
    source_id: string;
    seq: number;
    patient_id: string;
    kind: 'care-team' | 'encounter' | 'order';
    member: string;
    category: string | null;
    care_team_id: string | null;
    active: boolean;
    period_start: NullableTimestamp;
    period_end: NullableTimestamp;
  };
  authz_break_glass: {
    id: string;
    subject: string;
    practitioner_id: string | null;
    institution_id: string | null;
    roles: string[];
    patient_id: string;
    patient_institution: string | null;
    justification: string;
    reason: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    revoked_at: NullableTimestamp;
    acknowledged_at: NullableTimestamp;
    acknowledged_by: string | null;
    review_comment: string | null;
  };
  authz_notification: {
    id: string;
    grant_id: string;
    recipient_kind: 'patient' | 'privacy-office';
    recipient: string;
    payload: ColumnType<unknown, string, string>;
    created_at: Generated<Date>;
    delivered_at: NullableTimestamp;
    attempts: Generated<number>;
    last_error: string | null;
  };
}
