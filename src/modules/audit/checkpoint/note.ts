import { CheckpointError } from './errors.ts';
import { isValidKeyName, type NoteSigner, type NoteVerifier } from './note-keys.ts';
import { decodeBase64, encodeBase64, hasControlCharacter, isWellFormedUnicode } from './text-encoding.ts';

/*
 * C2SP signed notes (c2sp.org/signed-note): the text, a blank line, then one or more lines
 * "— <key name> base64(key id ‖ signature)". The signature covers the text including its final newline.
 */

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
/** Go's sumdb/note limit; the spec asks verifiers to accept at least 16. */
const MAX_SIGNATURES = 100;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature line's base64 payload, as it appears in the note. */
  readonly base64: string;
}

export interface OpenedNote {
  /** The signed text, ending in a newline. */
  readonly text: string;
  /** Signatures that verified against a trusted key. */
  readonly verified: readonly NoteSignature[];
  /** Signatures from keys the caller did not trust, ignored as the spec requires. */
  readonly unverified: readonly NoteSignature[];
}

function malformed(message: string): CheckpointError {
  return new CheckpointError('malformed_note', message);
}

function isValidText(text: string): boolean {
  return isWellFormedUnicode(text) && !hasControlCharacter(text, { allowNewline: true });
}

/** Signs `text` (non-empty, ending in a newline) with each signer and returns the signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (text.length === 0 || !text.endsWith('\n') || !isValidText(text)) {
    throw malformed('note text must be non-empty UTF-8 ending in a newline, without control characters');
  }
  if (signers.length === 0) throw malformed('a note needs at least one signature');
  const message = utf8.encode(text);
  const lines = signers.map((signer) => {
    const signature = signer.sign(message);
    const payload = new Uint8Array(4 + signature.length);
    new DataView(payload.buffer).setUint32(0, signer.keyId);
    payload.set(signature, 4);
    return `${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(payload)}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

function parseSignatureLine(line: string): NoteSignature & { signature: Uint8Array } {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw malformed('signature lines start with an em dash and a space');
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const [name, base64] = space < 0 ? [rest, ''] : [rest.slice(0, space), rest.slice(space + 1)];
  const payload = decodeBase64(base64);
  if (!isValidKeyName(name) || payload === undefined || payload.length < 5) {
    throw malformed('a signature line is "— <key name> <base64 key id and signature>"');
  }
  const keyId = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
  return { name, keyId, base64, signature: payload.subarray(4) };
}

/**
 * Parses a signed note and checks it against trusted verifiers. Signatures from unknown keys (name and key
 * id not both matching a verifier) are ignored; a signature from a trusted key that fails to verify rejects
 * the whole note ('invalid_signature'); a note with no verified signature is rejected ('unknown_key').
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  let decoded: string;
  try {
    decoded = typeof note === 'string' ? note : strictUtf8.decode(note);
  } catch {
    throw malformed('a note must be valid UTF-8');
  }
  if (!isValidText(decoded)) throw malformed('a note must be valid UTF-8 without control characters');
  const split = decoded.lastIndexOf('\n\n');
  if (split < 0) throw malformed('a note needs a blank line before its signatures');
  const text = decoded.slice(0, split + 1);
  const block = decoded.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) throw malformed('signature lines must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`a note carries at most ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map(parseSignatureLine);

  // Two trusted keys with the same name and id cannot be told apart: fail only if a signature needs one.
  const trusted = new Map<string, NoteVerifier | 'ambiguous'>();
  for (const verifier of verifiers) {
    const id = `${verifier.name}+${verifier.keyId}`;
    trusted.set(id, trusted.has(id) ? 'ambiguous' : verifier);
  }
  const message = utf8.encode(text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  // Repeated lines are reported once; unlike Go's sumdb/note, every signature of a trusted key is checked.
  const reported = new Set<string>();
  for (const { signature, ...line } of signatures) {
    const id = `${line.name}+${line.keyId}`;
    const verifier = trusted.get(id);
    if (verifier === 'ambiguous') {
      throw new CheckpointError('malformed_key', `ambiguous verifier key ${line.name}`);
    }
    if (verifier !== undefined && !verifier.verify(message, signature)) {
      throw new CheckpointError('invalid_signature', `invalid signature for key ${line.name}`);
    }
    const reportKey = verifier === undefined ? `${id} ${line.base64}` : id;
    if (reported.has(reportKey)) continue;
    reported.add(reportKey);
    (verifier === undefined ? unverified : verified).push(line);
  }
  if (verified.length === 0) {
    throw new CheckpointError('unknown_key', 'the note has no signature from a trusted key');
  }
  return { text, verified, unverified };
}
