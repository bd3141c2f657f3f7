import { openRuntime } from '../../app/index.ts';
import { cliSetup } from '../context.ts';

/** `carebase migrate`: brings both databases to the latest schema, then exits. */
export async function migrateCommand(): Promise<void> {
  const { config, logger } = cliSetup();
  const runtime = await openRuntime(config, logger, { migrate: true });
  await runtime.close();
  process.stdout.write(`Databases are up to date (${config.mode} mode).\n`);
}
