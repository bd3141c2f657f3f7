import { openRuntime } from '../../app/index.ts';
import { jobHandlers } from '../../app/job-handlers.ts';
import { createJobWorker } from '../../platform/jobs/index.ts';
import { cliSetup } from '../context.ts';
import { onShutdownSignal } from '../shutdown.ts';

/** `carebase worker`: runs background jobs only (scale it separately from the API in production). */
export async function workerCommand(): Promise<void> {
  const { config, logger } = cliSetup();
  const runtime = await openRuntime(config, logger);
  const worker = createJobWorker(runtime.records, jobHandlers(runtime), { ...config.jobs, logger });
  worker.start();
  logger.info({ concurrency: config.jobs.concurrency }, 'worker started');
  onShutdownSignal(logger, config.shutdownGraceMs, async () => {
    await worker.stop({ graceMs: config.shutdownGraceMs });
    await runtime.close();
  });
}
