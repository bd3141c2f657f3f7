import { openRuntime } from '../../app/index.ts';
import { createLocalDataKeyRing } from '../../modules/keys/index.ts';
import { shredPatient } from '../../modules/records/index.ts';
import { systemContext } from '../../platform/context/index.ts';
import { cliSetup } from '../context.ts';

/** `carebase keys shred <patientId>`: destroys the patient's data key (erasure); audited; irreversible. */
export async function keysShredCommand(patientId: string, options: { yes: boolean }): Promise<void> {
  if (!options.yes) throw new Error('Crypto-shredding is irreversible; pass --yes to confirm');
  const { config, logger } = cliSetup();
  const runtime = await openRuntime(config, logger);
  try {
    await shredPatient(
      {
        database: runtime.records,
        audit: runtime.auditLog,
        keys: createLocalDataKeyRing(config.keysDir),
      },
      systemContext('carebase keys shred'),
      patientId,
    );
    process.stdout.write(`Patient ${patientId}: data key destroyed; their records are unreadable.\n`);
  } finally {
    await runtime.close();
  }
}
