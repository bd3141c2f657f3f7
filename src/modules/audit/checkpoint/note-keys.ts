import crypto, { type KeyObject } from 'node:crypto';
import { decodeBase64, encodeBase64, hasControlCharacter, isWellFormedUnicode } from './text-encoding.ts';
import { CheckpointError } from './errors.ts';

/*
 * Ed25519 keys for C2SP signed notes (c2sp.org/signed-note), in the text formats of Go's
 * golang.org/x/mod/sumdb/note that transparency-log tooling shares:
 *   verifier key  <name>+<key id, 8 hex>+base64(0x01 ‖ 32-byte public key)
 *   signer key    PRIVATE+KEY+<name>+<key id>+base64(0x01 ‖ 32-byte seed)
 * with key id = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] read as a big-endian uint32.
 */

/** The signed-note signature type byte for Ed25519. */
export const ED25519_SIGNATURE_TYPE = 0x01;
const KEY_SIZE = 32;
const SIGNER_KEY_PREFIX = 'PRIVATE+KEY+';
// Fixed DER headers that wrap a raw Ed25519 seed (PKCS #8) or public key (SPKI), RFC 8410.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: KeyObject;
  /** The verifier key string to publish so others can check this signer's notes. */
  readonly verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly publicKey: KeyObject;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Key names are non-empty and contain no Unicode space, no plus and no control character. */
export function isValidKeyName(name: string): boolean {
  return (
    name.length > 0 &&
    isWellFormedUnicode(name) &&
    !/[\s\u0085+]/u.test(name) &&
    !hasControlCharacter(name, { allowNewline: false })
  );
}

/** The signed-note key id of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian. */
export function noteKeyId(name: string, rawPublicKey: Uint8Array): number {
  const digest = crypto
    .createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Uint8Array.of(0x0a, ED25519_SIGNATURE_TYPE))
    .update(rawPublicKey)
    .digest();
  return digest.readUInt32BE(0);
}

const keyIdHex = (keyId: number): string => keyId.toString(16).padStart(8, '0');

function malformedKey(message: string, cause?: unknown): CheckpointError {
  return new CheckpointError('malformed_key', message, { cause });
}

function requireKeyName(name: string): void {
  if (!isValidKeyName(name)) throw malformedKey('a key name must be non-empty, without spaces or "+"');
}

function requireEd25519(key: KeyObject, type: 'private' | 'public'): void {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw malformedKey(`expected an Ed25519 ${type} key`);
  }
}

function rawPublicKey(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(
    publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length),
  );
}

function rawSeed(privateKey: KeyObject): Uint8Array {
  return new Uint8Array(
    privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length),
  );
}

/** A signer for `name` from an Ed25519 private key (a KeyObject or a PKCS #8 PEM string). */
export function noteSignerFromPrivateKey(name: string, privateKey: KeyObject | string): NoteSigner {
  requireKeyName(name);
  let key: KeyObject;
  try {
    key = typeof privateKey === 'string' ? crypto.createPrivateKey(privateKey) : privateKey;
  } catch (cause) {
    throw malformedKey('the private key could not be read', cause);
  }
  requireEd25519(key, 'private');
  const publicKey = crypto.createPublicKey(key);
  const verifier = noteVerifierFromPublicKey(name, publicKey);
  return {
    name,
    keyId: verifier.keyId,
    publicKey,
    verifierKey: encodeVerifierKey(name, publicKey),
    sign: (message) => new Uint8Array(crypto.sign(null, message, key)),
  };
}

/** A verifier for `name` from an Ed25519 public key (a KeyObject or an SPKI PEM string). */
export function noteVerifierFromPublicKey(name: string, publicKey: KeyObject | string): NoteVerifier {
  requireKeyName(name);
  let key: KeyObject;
  try {
    key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  } catch (cause) {
    throw malformedKey('the public key could not be read', cause);
  }
  requireEd25519(key, 'public');
  return {
    name,
    keyId: noteKeyId(name, rawPublicKey(key)),
    publicKey: key,
    verify: (message, signature) => signature.length === 64 && crypto.verify(null, message, key, signature),
  };
}

/** The verifier key string `<name>+<key id>+base64(0x01 ‖ public key)` for an Ed25519 public key. */
export function encodeVerifierKey(name: string, publicKey: KeyObject): string {
  requireKeyName(name);
  requireEd25519(publicKey, 'public');
  const raw = rawPublicKey(publicKey);
  return `${name}+${keyIdHex(noteKeyId(name, raw))}+${encodeBase64(Uint8Array.of(ED25519_SIGNATURE_TYPE, ...raw))}`;
}

/** Generates an Ed25519 key pair for `name` as signer and verifier key strings. */
export function generateNoteKeys(name: string): { signerKey: string; verifierKey: string } {
  requireKeyName(name);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const keyId = keyIdHex(noteKeyId(name, rawPublicKey(publicKey)));
  const seed = encodeBase64(Uint8Array.of(ED25519_SIGNATURE_TYPE, ...rawSeed(privateKey)));
  return {
    signerKey: `${SIGNER_KEY_PREFIX}${name}+${keyId}+${seed}`,
    verifierKey: encodeVerifierKey(name, publicKey),
  };
}

/** Splits `<name>+<8 hex>+<base64(0x01 ‖ 32 bytes)>` and checks every part. */
function parseKeyParts(text: string): { name: string; keyId: number; key: Uint8Array } {
  const first = text.indexOf('+');
  const second = text.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw malformedKey('a note key has three "+"-separated parts');
  const [name, idHex, keyBase64] = [
    text.slice(0, first),
    text.slice(first + 1, second),
    text.slice(second + 1),
  ];
  requireKeyName(name);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw malformedKey('a note key id is 8 hexadecimal digits');
  const key = decodeBase64(keyBase64);
  if (key === undefined || key.length !== 1 + KEY_SIZE) {
    throw malformedKey('a note key holds 33 base64 bytes');
  }
  if (key[0] !== ED25519_SIGNATURE_TYPE) {
    throw malformedKey('only Ed25519 note keys (type 0x01) are supported');
  }
  return { name, keyId: Number.parseInt(idHex, 16), key: key.subarray(1) };
}

/** Parses a verifier key string, checking that its key id matches its name and key. */
export function parseVerifierKey(verifierKey: string): NoteVerifier {
  const { name, keyId, key } = parseKeyParts(verifierKey);
  let publicKey: KeyObject;
  try {
    publicKey = crypto.createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, key]),
      format: 'der',
      type: 'spki',
    });
  } catch (cause) {
    throw malformedKey('not an Ed25519 public key', cause);
  }
  const verifier = noteVerifierFromPublicKey(name, publicKey);
  if (verifier.keyId !== keyId) throw malformedKey('the key id does not match the name and key');
  return verifier;
}

/** Parses a signer key string, checking that its key id matches its name and the derived public key. */
export function parseSignerKey(signerKey: string): NoteSigner {
  if (!signerKey.startsWith(SIGNER_KEY_PREFIX)) {
    throw malformedKey(`a signer key starts with ${SIGNER_KEY_PREFIX}`);
  }
  const { name, keyId, key } = parseKeyParts(signerKey.slice(SIGNER_KEY_PREFIX.length));
  let privateKey: KeyObject;
  try {
    privateKey = crypto.createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, key]),
      format: 'der',
      type: 'pkcs8',
    });
  } catch (cause) {
    throw malformedKey('not an Ed25519 seed', cause);
  }
  const signer = noteSignerFromPrivateKey(name, privateKey);
  if (signer.keyId !== keyId) throw malformedKey('the key id does not match the name and key');
  return signer;
}
