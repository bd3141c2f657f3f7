import type { Logger } from '../platform/logging/index.ts';

/**
 * Runs `shutdown` once on SIGINT/SIGTERM, then exits. A second signal, or the grace period running out,
 * exits at once: an operator must always be able to stop the process.
 */
export function onShutdownSignal(logger: Logger, graceMs: number, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests and jobs');
    const force = setTimeout(() => {
      logger.error('shutdown grace period exceeded: exiting');
      process.exit(1);
    }, graceMs + 5_000);
    force.unref();
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handle);
  process.once('SIGTERM', handle);
}
