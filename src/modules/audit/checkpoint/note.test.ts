import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  encodeVerifierKey,
  generateNoteKeys,
  noteSignerFromPrivateKey,
  noteVerifierFromPublicKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type CheckpointFailure,
} from './index.ts';

/*
 * Reference vectors from Go's signed-note implementation, golang.org/x/mod sumdb/note/note_test.go
 * (TestNewVerifier, TestNewSigner, TestSign, TestOpen): the PeterNeumann and EnochRoot keys and their
 * signatures over the same text. Ed25519 is deterministic, so signing must reproduce them byte for byte.
 */
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const peter = { name: 'PeterNeumann', keyId: 0xc74f20a3, base64: PETER_SIG.slice(15, -1) };
const enoch = { name: 'EnochRoot', keyId: 0xaf0cfe78, base64: ENOCH_SIG.slice(12, -1) };

function failureOf(action: () => unknown): CheckpointFailure | 'none' | 'other' {
  try {
    action();
    return 'none';
  } catch (error) {
    return (error as { failure?: CheckpointFailure }).failure ?? 'other';
  }
}

/** Every proper substring and every single-character increment of a key string (Go's mangling test). */
function manglings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i++) {
    for (let j = i + 1; j <= key.length; j++) if (i !== 0 || j !== key.length) out.push(key.slice(i, j));
  }
  for (let i = 0; i < key.length; i++)
    out.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  return out;
}

describe('note keys', () => {
  it('parse the reference verifier and signer keys and agree on name and key id', () => {
    const verifier = parseVerifierKey(PETER_VKEY);
    const signer = parseSignerKey(PETER_SKEY);
    expect(verifier).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3 });
    expect(signer).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3, verifierKey: PETER_VKEY });
    expect(parseVerifierKey(ENOCH_VKEY).keyId).toBe(0xaf0cfe78);
  });

  it('reject every mangling of the reference keys', () => {
    const acceptedVerifiers = manglings(PETER_VKEY).filter(
      (k) => failureOf(() => parseVerifierKey(k)) === 'none',
    );
    const acceptedSigners = manglings(PETER_SKEY).filter(
      (k) => failureOf(() => parseSignerKey(k)) === 'none',
    );
    expect(acceptedVerifiers).toEqual([]);
    expect(acceptedSigners).toEqual([]);
    // Wrong key length and unknown algorithm, each with a key id recomputed to match (from the Go tests).
    expect(
      failureOf(() =>
        parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
      ),
    ).toBe('malformed_key');
    expect(
      failureOf(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')),
    ).toBe('malformed_key');
  });

  it('generate key pairs whose strings round-trip and sign verifiably', () => {
    const { signerKey, verifierKey } = generateNoteKeys('carebase.example/audit');
    const signer = parseSignerKey(signerKey);
    const verifier = parseVerifierKey(verifierKey);
    expect(signer.verifierKey).toBe(verifierKey);
    expect(signer.keyId).toBe(verifier.keyId);
    const message = new TextEncoder().encode('hi');
    const signature = signer.sign(message);
    expect(verifier.verify(message, signature)).toBe(true);
    signature[0]! ^= 1;
    expect(verifier.verify(message, signature)).toBe(false);
    expect(verifier.verify(new TextEncoder().encode('ho'), signer.sign(message))).toBe(false);
  });

  it('convert PKCS #8 / SPKI keys to note signers and verifiers with the same key id', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const spki = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const signer = noteSignerFromPrivateKey('log.example', pkcs8);
    const verifier = noteVerifierFromPublicKey('log.example', spki);
    expect(verifier.keyId).toBe(signer.keyId);
    expect(encodeVerifierKey('log.example', publicKey)).toBe(signer.verifierKey);
    expect(openNote(signNote('x\n', [signer]), [verifier]).text).toBe('x\n');
  });

  it('refuse non-Ed25519 keys and invalid key names', () => {
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(failureOf(() => noteSignerFromPrivateKey('log.example', ec.privateKey))).toBe('malformed_key');
    expect(failureOf(() => noteVerifierFromPublicKey('log.example', ec.publicKey))).toBe('malformed_key');
    expect(failureOf(() => noteVerifierFromPublicKey('log.example', 'not a pem'))).toBe('malformed_key');
    for (const name of ['', 'a b', 'a+b', 'a\u00a0b', 'a\u2028b', 'a\tb']) {
      expect(
        failureOf(() => generateNoteKeys(name)),
        JSON.stringify(name),
      ).toBe('malformed_key');
    }
  });
});

describe('signed notes', () => {
  it('sign exactly as the reference implementation', () => {
    expect(signNote(TEXT, [parseSignerKey(PETER_SKEY)])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('verify known signatures and ignore unknown ones', () => {
    const [p, e] = [parseVerifierKey(PETER_VKEY), parseVerifierKey(ENOCH_VKEY)];
    const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    expect(openNote(both, [p])).toEqual({ text: TEXT, verified: [peter], unverified: [enoch] });
    expect(openNote(both, [p, e])).toEqual({ text: TEXT, verified: [peter, enoch], unverified: [] });
    expect(openNote(new TextEncoder().encode(both), [e]).verified).toEqual([enoch]);
    expect(failureOf(() => openNote(both, []))).toBe('unknown_key');
    // Repeated lines are reported once.
    const repeated = `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}`;
    expect(openNote(repeated, [p])).toEqual({ text: TEXT, verified: [peter], unverified: [enoch] });
  });

  it('reject ambiguous verifiers only when a signature needs them', () => {
    const [p, e] = [parseVerifierKey(PETER_VKEY), parseVerifierKey(ENOCH_VKEY)];
    expect(failureOf(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [e, p, e]))).toBe('malformed_key');
    expect(openNote(`${TEXT}\n${PETER_SIG}`, [e, p, e]).verified).toEqual([peter]);
  });

  it('reject a note whose trusted signature fails, even beside a valid one', () => {
    const p = parseVerifierKey(PETER_VKEY);
    const corrupted = `${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(failureOf(() => openNote(`${TEXT}\n${corrupted}`, [p]))).toBe('invalid_signature');
    expect(failureOf(() => openNote(`${TEXT}\n${PETER_SIG}${corrupted}`, [p]))).toBe('invalid_signature');
    expect(
      failureOf(() => openNote(`${TEXT.replace('cryptography', 'cryptographY')}\n${PETER_SIG}`, [p])),
    ).toBe('invalid_signature');
  });

  it('reject malformed notes', () => {
    const p = parseVerifierKey(PETER_VKEY);
    const bad: (string | Uint8Array)[] = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      `\u0001${TEXT}\n${PETER_SIG}`,
      Uint8Array.from([0xff, ...new TextEncoder().encode(`${TEXT}\n${PETER_SIG}`)]),
      `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${TEXT}\n${PETER_SIG.repeat(101)}`,
      `${TEXT}\n- PeterNeumann ${peter.base64}\n`,
      `${TEXT}\n\u2014 PeterNeumann AAAA\n`,
      `${TEXT}\n\u2014 PeterNeumann ${peter.base64.replace('=', '')}\n`,
      `\uD800${TEXT}\n${PETER_SIG}`,
    ];
    for (const note of bad)
      expect(
        failureOf(() => openNote(note, [p])),
        String(note),
      ).toBe('malformed_note');
    expect(failureOf(() => signNote('no final newline', [parseSignerKey(PETER_SKEY)]))).toBe(
      'malformed_note',
    );
    expect(failureOf(() => signNote('', [parseSignerKey(PETER_SKEY)]))).toBe('malformed_note');
    expect(failureOf(() => signNote('tab\there\n', [parseSignerKey(PETER_SKEY)]))).toBe('malformed_note');
  });
});
