import { existsSync } from 'node:fs';
import path from 'node:path';
import { openAccessPolicy, openRuntime, type Runtime } from '../../app/index.ts';
import type { Config } from '../../config/index.ts';
import {
  demoCredentialsFileName,
  hasSeededData,
  seedSyntheticData,
  type SeedResult,
} from '../../modules/synthetic/index.ts';
import { createLocalDataKeyRing } from '../../modules/keys/index.ts';
import { loadOrCreateKeyFile } from '../../platform/crypto/index.ts';
import { cliSetup } from '../context.ts';
import { createProgress } from '../progress.ts';

export interface SeedOptions {
  demo: boolean;
  patients: number;
  institutions: number;
  seed: string;
  /** Patients per committed batch: the unit an interrupted run resumes from. */
  batchSize?: number;
}

/** `carebase seed`: deterministic synthetic data; safe to interrupt and run again. */
export async function seedCommand(options: SeedOptions): Promise<void> {
  const { config, logger } = cliSetup();
  const runtime = await openRuntime(config, logger);
  try {
    const summary = await seedWithProgress(runtime, 'Seeding patients', options);
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await runtime.close();
  }
}

/**
 * On a fresh data directory `carebase start` loads the demo set. The credentials file is written last, so
 * its absence means the demo set is missing or was interrupted, and seeding (idempotent) finishes it.
 * Returns false when the demo data was already there.
 */
export async function seedDemoIfEmpty(runtime: Runtime): Promise<boolean> {
  const credentialsFile = path.join(runtime.config.dataDir, demoCredentialsFileName);
  if ((await hasSeededData(runtime.records)) && existsSync(credentialsFile)) return false;
  await seedWithProgress(runtime, 'Loading demo data', {
    demo: true,
    institutions: 2,
    seed: 'carebase-demo',
  });
  return true;
}

async function seedWithProgress(
  runtime: Runtime,
  label: string,
  options: Partial<SeedOptions> & { demo: boolean },
): Promise<SeedResult> {
  const progress = createProgress(label, options.patients ?? 1);
  // Seeded records take the same path as API writes: encrypted bodies, search index, authz projections.
  const policy = await openAccessPolicy(runtime);
  try {
    return await seedSyntheticData(runtime.records, {
      ...options,
      records: { keys: createLocalDataKeyRing(runtime.config.keysDir), policy },
      dataDir: runtime.config.dataDir,
      // Demo passwords derive from a secret of this installation, not from the public seed value.
      credentialSecret: options.demo ? await demoCredentialSecret(runtime.config) : undefined,
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.stop();
    await policy.close();
  }
}

async function demoCredentialSecret(config: Config): Promise<string> {
  return (await loadOrCreateKeyFile(path.join(config.keysDir, 'demo-credentials.key'))).toString('base64');
}
