import { AppError } from '../../../platform/errors/index.ts';

/** Why a key, note or checkpoint was refused. */
export type CheckpointFailure =
  /** A signer or verifier key string, or a key object, is not a valid Ed25519 note key. */
  | 'malformed_key'
  /** Not a well-formed C2SP signed note (encoding, blank line, signature lines). */
  | 'malformed_note'
  /** The note text is not a C2SP tlog checkpoint (origin, decimal size, base64 32-byte root). */
  | 'malformed_checkpoint'
  /** No signature from the trusted key (matching both name and key id) is present. */
  | 'unknown_key'
  /** A signature from the trusted key is present but does not verify: the note is forged or altered. */
  | 'invalid_signature'
  /** The checkpoint is for another log than expected, or the signing key's name is not the origin. */
  | 'origin_mismatch';

/**
 * A refused key, note or checkpoint, with the failure as a typed code (like panva/jose's error codes).
 * It is an AppError (422, reason = failure) so an HTTP caller posting a checkpoint gets a clean answer.
 */
export class CheckpointError extends AppError {
  readonly failure: CheckpointFailure;

  constructor(failure: CheckpointFailure, message: string, options: { cause?: unknown } = {}) {
    super('unprocessable', message, { reason: failure, cause: options.cause });
    this.name = 'CheckpointError';
    this.failure = failure;
  }
}

export function isCheckpointError(error: unknown): error is CheckpointError {
  return error instanceof CheckpointError;
}
