import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateKeyFile, open, seal } from './index.ts';

describe('loadOrCreateKeyFile', () => {
  it('creates a 0600 key once and returns the same key afterwards, even when raced', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'carebase-keys-'));
    const file = path.join(dir, 'keys', 'master.key');
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateKeyFile(file)));
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(1);
    expect(keys[0]).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await loadOrCreateKeyFile(file)).equals(keys[0]!)).toBe(true);
  });
});

describe('seal/open (AES-256-GCM)', () => {
  const key = Buffer.alloc(32, 7);
  it('round-trips and uses a fresh nonce each time', () => {
    const a = seal(key, Buffer.from('note text'), 'DocumentReference/1/1');
    const b = seal(key, Buffer.from('note text'), 'DocumentReference/1/1');
    expect(a.equals(b)).toBe(false);
    expect(open(key, a, 'DocumentReference/1/1').toString()).toBe('note text');
  });
  it('refuses a ciphertext moved to another row, tampered, or opened with another key', () => {
    const sealed = seal(key, Buffer.from('note text'), 'DocumentReference/1/1');
    expect(() => open(key, sealed, 'DocumentReference/2/1')).toThrow(/authentication/);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(key, tampered, 'DocumentReference/1/1')).toThrow(/authentication/);
    expect(() => open(Buffer.alloc(32, 8), sealed, 'DocumentReference/1/1')).toThrow(/authentication/);
    expect(() => open(key, sealed.subarray(0, 10), 'x')).toThrow(/malformed/);
  });
});
