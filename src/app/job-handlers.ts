import {
  AUDIT_VERIFY_QUEUE,
  auditVerificationJob,
  scheduleAuditVerification,
} from '../modules/audit/index.ts';
import { videoWorkerHandlers } from '../modules/video/index.ts';
import { createJobWorker, type JobHandler } from '../platform/jobs/index.ts';
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

/**
 * A process's worker share (`carebase worker`, and `carebase start` beside the API): the job worker and
 * the audit archive consumer, which API processes do not run. Stop the returned worker before closing
 * the runtime (closing the runtime stops the consumer).
 */
export async function startBackgroundWork(runtime: Runtime) {
  const worker = createJobWorker(runtime.records, jobHandlers(runtime), {
    ...runtime.config.jobs,
    logger: runtime.logger,
  });
  worker.start();
  await runtime.auditLog.replication
    ?.startConsumer()
    .catch((err: unknown) =>
      runtime.logger.warn({ err }, 'audit archive consumer not started; replication lags until restart'),
    );
  return worker;
}
