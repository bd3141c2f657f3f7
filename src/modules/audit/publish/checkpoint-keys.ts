import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  generateNoteKeys,
  parseSignerKey,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifier,
} from '../checkpoint/index.ts';

const SIGNER_FILE = 'audit-checkpoint.key';
const VERIFIER_FILE = 'audit-checkpoint.pub';

/** The log's origin (and key name): the public host plus `/audit`, so checkpoints name the deployment. */
export function ledgerOrigin(publicUrl: string): string {
  return `${new URL(publicUrl).host}/audit`;
}

/**
 * The checkpoint signing key from the keys directory, created on first use (mode 0600). The verifier
 * key is written beside it for `carebase audit verify` and for anyone who monitors the log.
 */
export async function loadCheckpointSigner(keysDir: string, origin: string): Promise<NoteSigner> {
  const file = path.join(keysDir, SIGNER_FILE);
  try {
    const signer = parseSignerKey((await readFile(file, 'utf8')).trim());
    if (signer.name === origin) return signer;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // No key yet (or the origin changed, e.g. a new PUBLIC_URL): a new log identity gets a new key.
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  const { signerKey, verifierKey } = generateNoteKeys(origin);
  await writeFile(file, `${signerKey}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  await writeFile(path.join(keysDir, VERIFIER_FILE), `${verifierKey}\n`);
  return parseSignerKey(signerKey);
}

export async function loadCheckpointVerifier(keysDir: string): Promise<NoteVerifier> {
  return parseVerifierKey((await readFile(path.join(keysDir, VERIFIER_FILE), 'utf8')).trim());
}
