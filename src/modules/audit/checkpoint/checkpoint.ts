import { CheckpointError } from './errors.ts';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.ts';
import { openNote, signNote } from './note.ts';
import { decodeBase64, encodeBase64 } from './text-encoding.ts';

/*
 * C2SP transparency-log checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is
 *   <origin>\n<tree size in decimal>\n<base64 RFC 6962 root hash>\n[extension lines\n]
 * The log's key name matches the origin, so a checkpoint of one log can never pass for another's.
 */

const ROOT_HASH_SIZE = 32;
const DECIMAL_SIZE = /^(?:0|[1-9][0-9]*)$/;

export interface Checkpoint {
  /** Unique identity of the log, e.g. `carebase.example/audit`. */
  readonly origin: string;
  /** Number of leaves in the tree. */
  readonly size: number;
  /** RFC 6962 root hash of the tree at `size`. */
  readonly rootHash: Uint8Array;
  /** Opaque extra lines; NOT RECOMMENDED by the spec since monitors cannot audit them. */
  readonly extensions?: readonly string[];
}

function malformed(message: string): CheckpointError {
  return new CheckpointError('malformed_checkpoint', message);
}

/** The checkpoint's note text (unsigned). */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  if (!isValidKeyName(origin)) throw malformed('the origin must be non-empty, without spaces or "+"');
  if (!Number.isSafeInteger(size) || size < 0) {
    throw malformed('the tree size must be a non-negative integer');
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== ROOT_HASH_SIZE) {
    throw malformed('the root hash must be 32 bytes');
  }
  if (extensions.some((line) => line.length === 0 || line.includes('\n'))) {
    throw malformed('extension lines must be non-empty single lines');
  }
  return [origin, String(size), encodeBase64(rootHash), ...extensions].map((line) => `${line}\n`).join('');
}

/** Parses checkpoint note text (already verified or not: parsing alone proves nothing). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('checkpoint text ends in a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (
    origin === undefined ||
    sizeText === undefined ||
    rootText === undefined ||
    lines.some((l) => l === '')
  ) {
    throw malformed('a checkpoint has at least three non-empty lines: origin, size, root hash');
  }
  const size = Number(sizeText);
  if (!DECIMAL_SIZE.test(sizeText) || !Number.isSafeInteger(size)) {
    throw malformed('the tree size must be a decimal integer without leading zeros');
  }
  const rootHash = decodeBase64(rootText);
  if (rootHash === undefined || rootHash.length !== ROOT_HASH_SIZE) {
    throw malformed('the root hash must be the base64 encoding of 32 bytes');
  }
  return extensions.length > 0 ? { origin, size, rootHash, extensions } : { origin, size, rootHash };
}

/** Signs a checkpoint as a signed note. The signer's key name must be the checkpoint's origin. */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  if (signer.name !== checkpoint.origin) {
    throw new CheckpointError('origin_mismatch', 'the signing key name must equal the checkpoint origin');
  }
  return signNote(formatCheckpoint(checkpoint), [signer]);
}

/**
 * Verifies a signed checkpoint against the log's public key and returns it parsed, or throws a
 * CheckpointError saying why not. The origin must be `options.origin`, by default the key's name.
 */
export function verifyCheckpoint(
  note: string | Uint8Array,
  verifier: NoteVerifier,
  options: { origin?: string } = {},
): Checkpoint {
  const { text } = openNote(note, [verifier]);
  const checkpoint = parseCheckpoint(text);
  const expectedOrigin = options.origin ?? verifier.name;
  if (checkpoint.origin !== expectedOrigin) {
    throw new CheckpointError('origin_mismatch', 'the checkpoint is for another log');
  }
  return checkpoint;
}
