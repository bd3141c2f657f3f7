import {
  AUDIT_VERIFY_QUEUE,
  auditVerificationJob,
  scheduleAuditVerification,
} from '../modules/audit/index.ts';
import { videoWorkerHandlers } from '../modules/video/index.ts';
import type { JobHandler } from '../platform/jobs/index.ts';
import type { Runtime } from './runtime.ts';

/** Background job handlers by queue name. Modules contribute theirs here (video transcoding, audit checks). */
export function jobHandlers(runtime: Runtime): Record<string, JobHandler> {
  // The ledger's scheduled verification queues its own next run; this seeds the first one.
  scheduleAuditVerification(runtime.jobs, runtime.config.audit.verifyIntervalMs).catch((err: unknown) =>
    runtime.logger.error({ err }, 'could not schedule audit verification'),
  );
  return {
    ...videoWorkerHandlers(runtime),
    [AUDIT_VERIFY_QUEUE]: auditVerificationJob(runtime.auditLog, runtime.jobs, runtime.logger),
  };
}
