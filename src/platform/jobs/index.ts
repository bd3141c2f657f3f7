export { jobsMigrations } from './migrations.ts';
export { createJobQueue } from './job-queue.ts';
export { createJobWorker } from './job-worker.ts';
export { UnrecoverableJobError } from './unrecoverable-job-error.ts';
export { retryDelayMs } from './backoff.ts';
export {
  jobStates,
  type JobState,
  type JobRecord,
  type JobProgress,
  type EnqueueOptions,
  type JobQueue,
  type RunningJob,
  type JobHandler,
  type JobWorker,
  type JobWorkerOptions,
} from './types.ts';
