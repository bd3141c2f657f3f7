import type { ColumnType, Generated } from 'kysely';

/**
 * The columns the seeder writes, as the records and identity migrations define them. Local to this module:
 * the records module exposes no table types, and seeding only ever inserts.
 */
export interface ResourceTable {
  resource_type: string;
  id: string;
  version_id: number;
  patient_id: string | null;
  institution_id: string;
  category: string;
  security: string[];
  last_updated: ColumnType<Date, string, string>;
  deleted: Generated<boolean>;
  body: ColumnType<unknown, string, string>;
}

export interface SeedTables {
  institution: { id: string; name: string; created_at: Generated<Date> };
  resource: ResourceTable;
  resource_history: ResourceTable;
  user_account: {
    id: string;
    username: string;
    display_name: string;
    password_hash: string;
    totp_secret: string | null;
    roles: string[];
    institution_id: string;
    practitioner_id: string | null;
    patient_id: string | null;
    created_at: Generated<Date>;
    disabled_at: Date | null;
  };
  delegation: {
    delegate_user_id: string;
    patient_id: string;
    relationship: string;
    created_at: Generated<Date>;
  };
}
