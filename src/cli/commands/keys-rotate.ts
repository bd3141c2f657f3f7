import { openRuntime } from '../../app/index.ts';
import { createLocalDataKeyRing } from '../../modules/keys/index.ts';
import { rotateKeys } from '../../modules/records/index.ts';
import { systemContext } from '../../platform/context/index.ts';
import { cliSetup } from '../context.ts';

/**
 * `carebase keys rotate`: a new key-encryption key version per institution, then every patient data key
 * re-wrapped under it in short batches. Safe while the server runs: readers unwrap with whichever KEK a
 * row names, and the server picks up the new KEK for keys it creates.
 */
export async function keysRotateCommand(options: { newKek: boolean }): Promise<void> {
  const { config, logger } = cliSetup();
  const runtime = await openRuntime(config, logger);
  try {
    const result = await rotateKeys(
      {
        database: runtime.records,
        audit: runtime.auditLog,
        keys: createLocalDataKeyRing(config.keysDir),
      },
      systemContext('carebase keys rotate'),
      { newKek: options.newKek },
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await runtime.close();
  }
}
