import path from 'node:path';
import { buildApp, openRuntime } from '../../app/index.ts';
import { startBackgroundWork } from '../../app/job-handlers.ts';
import { cliSetup } from '../context.ts';
import { onShutdownSignal } from '../shutdown.ts';
import { seedDemoIfEmpty } from './seed.ts';

/** `carebase start`: API, job worker and web UI in one process. */
export async function startCommand(options: { seed: boolean }): Promise<void> {
  const { config, logger } = cliSetup();
  const runtime = await openRuntime(config, logger);
  const credentials = options.seed && config.seedDemoOnEmpty ? await seedDemoIfEmpty(runtime) : undefined;

  let shuttingDown = false;
  const app = await buildApp(runtime, { isShuttingDown: () => shuttingDown });
  const worker = await startBackgroundWork(runtime);
  await app.listen({ host: config.http.host, port: config.http.port });

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = config.http.port === 0 ? `http://${config.http.host}:${port}` : config.http.publicUrl;
  const demo = path.join(config.dataDir, 'demo-credentials.json');
  process.stdout.write(
    [
      '',
      `  Carebase is running (${config.mode} mode) at ${url}`,
      `  Health: ${url}/readyz   Metrics: ${url}/metrics`,
      credentials !== false ? `  Demo sign-ins: ${demo}` : '',
      '  Stop with Ctrl+C.',
      '',
    ]
      .filter((line, i, all) => line !== '' || i === 0 || i === all.length - 1)
      .join('\n') + '\n',
  );

  onShutdownSignal(logger, config.shutdownGraceMs, async () => {
    shuttingDown = true;
    await app.close();
    await worker.stop({ graceMs: config.shutdownGraceMs });
    await runtime.close();
  });
}
