import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { loadCheckpointVerifier, verifyLedger, type VerifyReport } from '../../modules/audit/index.ts';
import { parseVerifierKey } from '../../modules/audit/checkpoint/index.ts';
import { openDatabase } from '../../platform/db/index.ts';
import { createObjectStorage } from '../../platform/storage/index.ts';
import { cliSetup } from '../context.ts';
import { createProgress } from '../progress.ts';

export interface AuditVerifyOptions {
  /** A verifier key string, or a file holding one; default: the deployment's own public key. */
  key?: string;
  json: boolean;
}

async function verifierFrom(key: string | undefined, keysDir: string) {
  if (!key) return loadCheckpointVerifier(keysDir);
  const text = key.includes('+') ? key : (await readFile(key, 'utf8')).trim();
  return parseVerifierKey(text);
}

function describe(report: VerifyReport): string {
  const seconds = (report.durationMs / 1000).toFixed(2);
  if (report.ok) {
    return `OK: ${report.entries} entries and ${report.checkpoints} signed checkpoints verified in ${seconds} s (root ${report.root}).\n`;
  }
  const lines = report.failures.map(
    (f) =>
      `  FAIL ${f.kind}${f.index !== undefined ? ` #${f.index}` : ''}${f.checkpoint !== undefined ? ` @${f.checkpoint}` : ''}: ${f.message}`,
  );
  if (report.omittedFailures > 0) lines.push(`  … and ${report.omittedFailures} more failures`);
  return `TAMPERING OR CORRUPTION DETECTED in the audit ledger (${report.entries} entries, ${report.checkpoints} checkpoints, ${seconds} s):\n${lines.join('\n')}\n`;
}

/**
 * `carebase audit verify`: recomputes the Merkle tree over the whole ledger, checks every checkpoint's
 * signature and root and every published leaf hash, and names each failing entry or checkpoint.
 * Exit code 1 when anything fails. Reads only: it opens the ledger database and object storage, nothing else.
 */
export async function auditVerifyCommand(options: AuditVerifyOptions): Promise<void> {
  const { config } = cliSetup();
  const verifier = await verifierFrom(options.key, config.keysDir);
  const database = await openDatabase(config.auditDb, { applicationName: 'carebase-audit-verify' });
  const storage = await createObjectStorage(config.storage);
  try {
    const progress = createProgress('Verifying audit ledger', 0);
    let report: VerifyReport;
    try {
      report = await verifyLedger({
        db: database.db as Kysely<unknown>,
        storage,
        verifier,
        onProgress: (done, total) => progress.update(done, total),
      });
    } finally {
      progress.stop();
    }
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
    if (!report.ok) process.exitCode = 1;
  } finally {
    await storage.close();
    await database.close();
  }
}
