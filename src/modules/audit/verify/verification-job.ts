import type { JobHandler, JobQueue } from '../../../platform/jobs/index.ts';
import type { Logger } from '../../../platform/logging/index.ts';
import type { AuditService } from '../service.ts';
import { saveVerificationStatus } from './verification-status.ts';
import { verifyLedger } from './verify-ledger.ts';

export const AUDIT_VERIFY_QUEUE = 'audit.verify';

/**
 * Enqueues the next run at the start of the next interval slot. The slot is the idempotency key, so
 * every process may call this (start-up, each run) and one job per slot exists.
 */
export async function scheduleAuditVerification(
  jobs: JobQueue,
  intervalMs: number,
  now = Date.now(),
): Promise<void> {
  if (intervalMs <= 0) return;
  const slot = Math.floor(now / intervalMs) + 1;
  await jobs.enqueue(
    AUDIT_VERIFY_QUEUE,
    {},
    { runAt: new Date(slot * intervalMs), idempotencyKey: `slot-${slot}`, maxAttempts: 3 },
  );
}

/** The worker's scheduled check: the full `verify`, its result stored for the alert metric, the next run queued. */
export function auditVerificationJob(audit: AuditService, jobs: JobQueue, logger: Logger): JobHandler {
  return async (job) => {
    const report = await verifyLedger({
      db: audit.db,
      storage: audit.storage,
      verifier: audit.verifier,
      onProgress: (done, total) => void job.reportProgress(total === 0 ? 1 : done / total),
    });
    await saveVerificationStatus(audit.storage, report, new Date());
    if (report.ok) {
      logger.info(
        { entries: report.entries, durationMs: Math.round(report.durationMs) },
        'audit ledger verified',
      );
    } else {
      logger.error(
        { failures: report.failures.slice(0, 20) },
        'AUDIT LEDGER VERIFICATION FAILED: possible tampering',
      );
    }
    await scheduleAuditVerification(jobs, audit.settings.verifyIntervalMs);
  };
}
