import { openRuntime } from '../../app/index.ts';
import { startBackgroundWork } from '../../app/job-handlers.ts';
import { cliSetup } from '../context.ts';
import { onShutdownSignal } from '../shutdown.ts';

/** `carebase worker`: background jobs and the audit archive consumer (scale it apart from the API in production). */
export async function workerCommand(): Promise<void> {
  const { config, logger } = cliSetup();
  const runtime = await openRuntime(config, logger);
  const worker = await startBackgroundWork(runtime);
  logger.info({ concurrency: config.jobs.concurrency }, 'worker started');
  onShutdownSignal(logger, config.shutdownGraceMs, async () => {
    await worker.stop({ graceMs: config.shutdownGraceMs });
    await runtime.close();
  });
}
