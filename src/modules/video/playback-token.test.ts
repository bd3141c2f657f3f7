import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyringOf, mintPlaybackToken, verifyPlaybackToken } from './playback-token.ts';

const keyring = keyringOf(randomBytes(32));

describe('playback tokens', () => {
  const { token } = mintPlaybackToken(keyring, { subject: 'user-1', videoId: 'v1', ttlSeconds: 3600 });

  it('verifies for its own video until it expires', () => {
    expect(verifyPlaybackToken(keyring, token, 'v1').videoId).toBe('v1');
    expect(() => verifyPlaybackToken(keyring, token, 'v1', Date.now() + 3_601_000)).toThrow(/expired/);
  });

  it('refuses another video, a tampered field, a forged signature and an unknown key', () => {
    expect(() => verifyPlaybackToken(keyring, token, 'v2')).toThrow(/bad_signature/);
    const parts = token.split('.');
    const longer = [
      parts[0],
      parts[1],
      (parseInt(parts[2]!, 36) + 9999).toString(36),
      parts[3],
      parts[4],
    ].join('.');
    expect(() => verifyPlaybackToken(keyring, longer, 'v1')).toThrow(/bad_signature/);
    const forged = [...parts.slice(0, 4), randomBytes(32).toString('base64url')].join('.');
    expect(() => verifyPlaybackToken(keyring, forged, 'v1')).toThrow(/bad_signature/);
    expect(() => verifyPlaybackToken(keyringOf(randomBytes(32)), token, 'v1')).toThrow(/unknown_key/);
    expect(() => verifyPlaybackToken(keyring, 'garbage', 'v1')).toThrow(/malformed/);
  });

  it('keeps verifying tokens of the previous key after a rotation', () => {
    const rotated = keyringOf(randomBytes(32), [keyring.current.key]);
    expect(verifyPlaybackToken(rotated, token, 'v1').kid).toBe(keyring.current.kid);
    expect(rotated.current.kid).not.toBe(keyring.current.kid);
  });
});
