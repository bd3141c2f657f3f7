import { ConfigError, loadConfigFromProcess, type Config } from '../config/index.ts';
import { createLogger, type Logger } from '../platform/logging/index.ts';

/** Exit codes: 0 ok, 1 failure at run time, 2 invalid configuration or usage. */
export const EXIT_CONFIG = 2;

export function loadConfigOrExit(): Config {
  try {
    return loadConfigFromProcess();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`carebase: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

export function cliSetup(): { config: Config; logger: Logger } {
  const config = loadConfigOrExit();
  return { config, logger: createLogger(config) };
}

/** Runs a command body, printing a clean one-line error instead of a stack for expected failures. */
export async function runCommand(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    process.stderr.write(`carebase: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
