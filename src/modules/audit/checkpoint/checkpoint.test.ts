import { describe, expect, it } from 'vitest';
import {
  CompactMerkleTree,
  MemoryNodeStore,
  consistencyProof,
  emptyRoot,
  verifyConsistency,
} from '../merkle/index.ts';
import {
  formatCheckpoint,
  generateNoteKeys,
  isCheckpointError,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifyCheckpoint,
  type CheckpointFailure,
} from './index.ts';

const ORIGIN = 'carebase.example/audit';
const KEYS = generateNoteKeys(ORIGIN);
const SIGNER = parseSignerKey(KEYS.signerKey);
const VERIFIER = parseVerifierKey(KEYS.verifierKey);
const ROOT = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const ROOT_BASE64 = Buffer.from(ROOT).toString('base64');

function failureOf(action: () => unknown): CheckpointFailure | 'none' | 'other' {
  try {
    action();
    return 'none';
  } catch (error) {
    return isCheckpointError(error) ? error.failure : 'other';
  }
}

describe('signed checkpoints', () => {
  it('are C2SP tlog-checkpoint text signed as a note by the origin key, and round-trip', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 20852163, rootHash: ROOT }, SIGNER);
    const [text, signatures] = note.split('\n\n');
    expect(text).toBe(`${ORIGIN}\n20852163\n${ROOT_BASE64}`);
    // 4-byte key id + 64-byte Ed25519 signature = 68 bytes = 92 base64 characters.
    expect(signatures).toMatch(new RegExp(`^\u2014 ${ORIGIN} [A-Za-z0-9+/]{91}=\n$`));
    const checkpoint = verifyCheckpoint(note, VERIFIER);
    expect(checkpoint).toEqual({ origin: ORIGIN, size: 20852163, rootHash: ROOT });
  });

  it('carry the empty tree and extension lines', () => {
    const empty = verifyCheckpoint(
      signCheckpoint({ origin: ORIGIN, size: 0, rootHash: emptyRoot() }, SIGNER),
      VERIFIER,
    );
    expect(empty.size).toBe(0);
    const withExtensions = {
      origin: ORIGIN,
      size: 1,
      rootHash: ROOT,
      extensions: ['published 2025-01-01T00:00:00Z'],
    };
    expect(verifyCheckpoint(signCheckpoint(withExtensions, SIGNER), VERIFIER)).toEqual(withExtensions);
  });

  it('fail when the size, root, origin or signature is tampered with', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 1000, rootHash: ROOT }, SIGNER);
    const otherRoot = Buffer.from(ROOT.map((b) => b ^ 1)).toString('base64');
    const tampered: [string, string][] = [
      ['size', note.replace('\n1000\n', '\n1001\n')],
      ['truncated size', note.replace('\n1000\n', '\n999\n')],
      ['root', note.replace(ROOT_BASE64, otherRoot)],
      ['origin line', note.replace(`${ORIGIN}\n1000`, 'carebase.example/other\n1000')],
    ];
    for (const [what, forged] of tampered) {
      expect(forged, what).not.toBe(note);
      expect(
        failureOf(() => verifyCheckpoint(forged, VERIFIER)),
        what,
      ).toBe('invalid_signature');
    }
    const signatureAt = note.lastIndexOf(' ') + 10;
    const flipped =
      note.slice(0, signatureAt) + (note[signatureAt] === 'A' ? 'B' : 'A') + note.slice(signatureAt + 1);
    expect(failureOf(() => verifyCheckpoint(flipped, VERIFIER))).toBe('invalid_signature');
    // Renaming the signer as well leaves no signature from the trusted key.
    const renamed = note.replaceAll(ORIGIN, 'carebase.example/other');
    expect(failureOf(() => verifyCheckpoint(renamed, VERIFIER))).toBe('unknown_key');
  });

  it('fail under the wrong key, even one with the same name', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 5, rootHash: ROOT }, SIGNER);
    const impostor = parseVerifierKey(generateNoteKeys(ORIGIN).verifierKey);
    expect(failureOf(() => verifyCheckpoint(note, impostor))).toBe('unknown_key');
    const impostorSigner = parseSignerKey(generateNoteKeys(ORIGIN).signerKey);
    // Same name and forged key id: the key id matches, so the signature itself must fail.
    const forged = signCheckpoint(
      { origin: ORIGIN, size: 5, rootHash: ROOT },
      { ...impostorSigner, keyId: SIGNER.keyId },
    );
    expect(failureOf(() => verifyCheckpoint(forged, VERIFIER))).toBe('invalid_signature');
  });

  it('bind the checkpoint to its log', () => {
    const note = signCheckpoint({ origin: ORIGIN, size: 5, rootHash: ROOT }, SIGNER);
    expect(failureOf(() => verifyCheckpoint(note, VERIFIER, { origin: 'carebase.example/other' }))).toBe(
      'origin_mismatch',
    );
    expect(
      failureOf(() => signCheckpoint({ origin: 'carebase.example/other', size: 5, rootHash: ROOT }, SIGNER)),
    ).toBe('origin_mismatch');
    // A note correctly signed by the log key but whose text names another origin is still refused.
    const foreign = signNote(`carebase.example/other\n5\n${ROOT_BASE64}\n`, [SIGNER]);
    expect(failureOf(() => verifyCheckpoint(foreign, VERIFIER))).toBe('origin_mismatch');
  });

  it('refuse validly signed text that is not a checkpoint', () => {
    const bodies = [
      `${ORIGIN}\n5\n`,
      `${ORIGIN}\n05\n${ROOT_BASE64}\n`,
      `${ORIGIN}\n-5\n${ROOT_BASE64}\n`,
      `${ORIGIN}\n5.0\n${ROOT_BASE64}\n`,
      `${ORIGIN}\n9007199254740992\n${ROOT_BASE64}\n`,
      `${ORIGIN}\n5\n${Buffer.alloc(31).toString('base64')}\n`,
      `${ORIGIN}\n5\n${ROOT_BASE64.replace('=', '')}\n`,
      `${ORIGIN}\n5\n${ROOT_BASE64}\n\nextension after an empty line\n`,
      `\n5\n${ROOT_BASE64}\n`,
    ];
    for (const body of bodies) {
      expect(
        failureOf(() => verifyCheckpoint(signNote(body, [SIGNER]), VERIFIER)),
        body,
      ).toBe('malformed_checkpoint');
    }
    expect(failureOf(() => parseCheckpoint(`${ORIGIN}\n5\n${ROOT_BASE64}`))).toBe('malformed_checkpoint');
    expect(failureOf(() => formatCheckpoint({ origin: ORIGIN, size: 1.5, rootHash: ROOT }))).toBe(
      'malformed_checkpoint',
    );
    expect(failureOf(() => formatCheckpoint({ origin: 'has space', size: 1, rootHash: ROOT }))).toBe(
      'malformed_checkpoint',
    );
    expect(failureOf(() => formatCheckpoint({ origin: ORIGIN, size: 1, rootHash: ROOT.subarray(1) }))).toBe(
      'malformed_checkpoint',
    );
    expect(
      failureOf(() => formatCheckpoint({ origin: ORIGIN, size: 1, rootHash: ROOT, extensions: [''] })),
    ).toBe('malformed_checkpoint');
  });

  it('let a client check that the log only grew between two checkpoints', async () => {
    const store = new MemoryNodeStore();
    const tree = new CompactMerkleTree({ onNode: store.record });
    const entries = Array.from({ length: 50 }, (_, i) => new TextEncoder().encode(`access ${i}`));
    entries.slice(0, 21).forEach((e) => tree.appendEntry(e));
    const earlier = signCheckpoint({ origin: ORIGIN, size: tree.size, rootHash: tree.root() }, SIGNER);
    entries.slice(21).forEach((e) => tree.appendEntry(e));
    const later = signCheckpoint({ origin: ORIGIN, size: tree.size, rootHash: tree.root() }, SIGNER);

    const [a, b] = [verifyCheckpoint(earlier, VERIFIER), verifyCheckpoint(later, VERIFIER)];
    const proof = await consistencyProof(a.size, b.size, store);
    expect(verifyConsistency(a.size, b.size, proof, a.rootHash, b.rootHash)).toBe(true);
    expect(verifyConsistency(a.size, b.size, proof, b.rootHash, a.rootHash)).toBe(false);
  });
});
