export { recordsMigrations } from './migrations.ts';
export { recordsEncryptionMigrations } from './migrations-encryption.ts';
export { createRecordsService, type RecordsService, type RecordsSession } from './service.ts';
export type { RecordsDeps } from './access.ts';
export { rotateKeys, shredPatient, type KeyAdminDeps } from './key-admin.ts';
export { recordsRoutes } from './routes.ts';
export { bulkWriteResources, type BulkResource } from './bulk-write.ts';
export { compartmentSource } from './compartment-source.ts';
export {
  deriveCategory,
  deriveSecurityLabels,
  securityLabelCodings,
  sensitiveCodeLabel,
  recordCategories,
  recordCategorySystem,
  confidentialityCodes,
  sensitivityLabels,
  type RecordCategory,
  type SecurityLabel,
  type SensitivityLabel,
  type ConfidentialityCode,
  type FhirResourceLike,
} from './classification.ts';
