export type { AuditLog, AuditEvent, AuditAction } from './audit-log.ts';
export { auditMigrations } from './ledger/migrations.ts';
export {
  createAuditLedger,
  type AuditLedger,
  type AuditLedgerOptions,
  type CommittedBatch,
} from './ledger/audit-ledger.ts';
export { canonicalJson } from './ledger/canonical-json.ts';
export type { AuditEntry } from './ledger/entry.ts';
export {
  createAuditService,
  defaultAuditSettings,
  type AuditService,
  type AuditServiceDeps,
  type AuditSettings,
} from './service.ts';
export { verifyLedger, type VerifyFailure, type VerifyReport } from './verify/verify-ledger.ts';
export { loadCheckpointVerifier, ledgerOrigin } from './publish/checkpoint-keys.ts';
export { auditRoutes } from './routes.ts';
export type { ActorDescription, DescribeActors } from './query/actors.ts';
export type { AccessLogEntry } from './query/access-log.ts';
export { auditSecurityEvents, identityActorDirectory, securityEventAppend } from './identity-bridge.ts';
export { registerAuditMetrics } from './metrics.ts';
export {
  AUDIT_VERIFY_QUEUE,
  auditVerificationJob,
  scheduleAuditVerification,
} from './verify/verification-job.ts';
export { readVerificationStatus, type VerificationStatus } from './verify/verification-status.ts';
export { AUDIT_STREAM, type Replication } from './replication/replication.ts';
