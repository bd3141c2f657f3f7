/**
 * Signed checkpoints of the audit ledger: C2SP tlog-checkpoint text signed as a C2SP signed note with
 * Ed25519, plus the key helpers (Go sumdb/note key strings, PKCS #8 / SPKI key objects).
 */
export {
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpoint,
  type Checkpoint,
} from './checkpoint.ts';
export { CheckpointError, isCheckpointError, type CheckpointFailure } from './errors.ts';
export {
  ED25519_SIGNATURE_TYPE,
  encodeVerifierKey,
  generateNoteKeys,
  isValidKeyName,
  noteKeyId,
  noteSignerFromPrivateKey,
  noteVerifierFromPublicKey,
  parseSignerKey,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifier,
} from './note-keys.ts';
export { openNote, signNote, type NoteSignature, type OpenedNote } from './note.ts';
