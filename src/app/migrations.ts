import { auditMigrations } from '../modules/audit/index.ts';
import { authzMigrations } from '../modules/authz/index.ts';
import { identityMigrations } from '../modules/identity/index.ts';
import { recordsEncryptionMigrations, recordsMigrations } from '../modules/records/index.ts';
import { videoMigrations } from '../modules/video/index.ts';
import type { Migrations } from '../platform/db/index.ts';
import { jobsMigrations } from '../platform/jobs/index.ts';

/** Every migration of the records database, across modules; Kysely orders them by name. */
export const recordsDatabaseMigrations: Migrations = {
  ...jobsMigrations,
  ...recordsMigrations,
  ...recordsEncryptionMigrations,
  ...identityMigrations,
  ...videoMigrations,
  ...authzMigrations,
};

/** The audit ledger lives in its own database (SPEC §4); the audit module adds its tables here. */
export const auditDatabaseMigrations: Migrations = { ...auditMigrations };
