import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateKeyFile } from '../../platform/crypto/index.ts';

/** HMAC keys by key id: `current` signs, every key in `accepted` verifies (the previous one during rotation). */
export interface PlaybackKeyring {
  current: { kid: string; key: Buffer };
  accepted: ReadonlyMap<string, Buffer>;
}

export interface PlaybackClaims {
  kid: string;
  /** Epoch seconds. */
  issuedAt: number;
  expiresAt: number;
  /** A digest of the viewer's subject: binds the token to one user without putting the id in URLs. */
  subjectTag: string;
  videoId: string;
}

export type PlaybackTokenProblem = 'malformed' | 'unknown_key' | 'bad_signature' | 'expired' | 'other_video';

export class PlaybackTokenError extends Error {
  constructor(readonly problem: PlaybackTokenProblem) {
    super(`playback token refused: ${problem}`);
    this.name = 'PlaybackTokenError';
  }
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

export function keyringOf(current: Buffer, previous: readonly Buffer[] = []): PlaybackKeyring {
  const accepted = new Map<string, Buffer>();
  for (const key of [current, ...previous]) accepted.set(keyIdOf(key), key);
  return { current: { kid: keyIdOf(current), key: current }, accepted };
}

const currentKeyFile = 'video-playback-hmac.key';
const previousKeyFile = 'video-playback-hmac.previous.key';

/** The keyring from `keysDir`: the current key (created on first use) and the previous one if kept. */
export async function loadPlaybackKeyring(keysDir: string): Promise<PlaybackKeyring> {
  const current = await loadOrCreateKeyFile(path.join(keysDir, currentKeyFile));
  const previous = await readFile(path.join(keysDir, previousKeyFile), 'utf8').then(
    (text) => [Buffer.from(text.trim(), 'base64')],
    () => [],
  );
  return keyringOf(current, previous);
}

/** Rotation: the current key becomes the previous one (still verifying until its tokens expire). */
export async function rotatePlaybackKey(keysDir: string): Promise<PlaybackKeyring> {
  await rename(path.join(keysDir, currentKeyFile), path.join(keysDir, previousKeyFile)).catch(() => {});
  return loadPlaybackKeyring(keysDir);
}

export function subjectTagOf(subject: string): string {
  return createHash('sha256').update(`carebase-video-viewer:${subject}`).digest('base64url').slice(0, 16);
}

function mac(key: Buffer, fields: Omit<PlaybackClaims, 'kid'> & { kid: string }): Buffer {
  const message = [
    'v1',
    fields.kid,
    fields.issuedAt,
    fields.expiresAt,
    fields.subjectTag,
    fields.videoId,
  ].join('|');
  return createHmac('sha256', key).update(message).digest();
}

/** `kid.iat.exp.subjectTag.mac`, URL-path safe, so relative segment URLs under it inherit it. */
export function mintPlaybackToken(
  keyring: PlaybackKeyring,
  claims: { subject: string; videoId: string; ttlSeconds: number; now?: number },
): { token: string; expiresAt: Date } {
  const issuedAt = Math.floor((claims.now ?? Date.now()) / 1000);
  const fields = {
    kid: keyring.current.kid,
    issuedAt,
    expiresAt: issuedAt + claims.ttlSeconds,
    subjectTag: subjectTagOf(claims.subject),
    videoId: claims.videoId,
  };
  const signature = mac(keyring.current.key, fields).toString('base64url');
  const token = [
    fields.kid,
    fields.issuedAt.toString(36),
    fields.expiresAt.toString(36),
    fields.subjectTag,
    signature,
  ].join('.');
  return { token, expiresAt: new Date(fields.expiresAt * 1000) };
}

const tokenShape =
  /^([A-Za-z0-9_-]{8})\.([0-9a-z]{1,10})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;

/**
 * Checks a token for `videoId`: shape, key id, HMAC (timing-safe), then expiry. The signature covers the
 * video id, so a token moved to another video's path fails as `bad_signature`… unless it is valid for its
 * own video, which `expectedVideoId` cannot tell apart; both are refused.
 */
export function verifyPlaybackToken(
  keyring: PlaybackKeyring,
  token: string,
  videoId: string,
  now: number = Date.now(),
): PlaybackClaims {
  const match = tokenShape.exec(token);
  if (!match) throw new PlaybackTokenError('malformed');
  const [, kid, iat, exp, subjectTag, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const key = keyring.accepted.get(kid);
  if (!key) throw new PlaybackTokenError('unknown_key');
  const claims: PlaybackClaims = {
    kid,
    issuedAt: parseInt(iat, 36),
    expiresAt: parseInt(exp, 36),
    subjectTag,
    videoId,
  };
  const expected = mac(key, claims);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new PlaybackTokenError('bad_signature');
  }
  if (claims.expiresAt * 1000 <= now) throw new PlaybackTokenError('expired');
  return claims;
}
