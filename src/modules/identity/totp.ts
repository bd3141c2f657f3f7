import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { open, seal } from '../../platform/crypto/index.ts';

/** RFC 6238 defaults that every authenticator app supports: SHA-1, 6 digits, 30 s steps. */
const period = 30;
const digits = 6;
export const totpIssuer = 'Carebase';

const sealedPrefix = 'sealed:';

export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secretBase32: string, username: string): string {
  return new TOTP({
    issuer: totpIssuer,
    label: username,
    secret: Secret.fromBase32(secretBase32),
    digits,
    period,
  }).toString();
}

/** An SVG QR code of the otpauth URI, as a data URL the page can show in an <img>. */
export async function totpQrDataUrl(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

export function isTotpCode(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * The time step a code belongs to, within one step of clock drift either way, or undefined. The caller
 * records the step so that the same code (or an older one) cannot be replayed.
 */
export function matchTotpStep(
  secretBase32: string,
  code: string,
  nowMs: number = Date.now(),
): number | undefined {
  if (!isTotpCode(code)) return undefined;
  const totp = new TOTP({ secret: Secret.fromBase32(secretBase32), digits, period });
  const delta = totp.validate({ token: code, timestamp: nowMs, window: 1 });
  if (delta === null) return undefined;
  return totp.counter({ timestamp: nowMs }) + delta;
}

/** Secrets enrolled through the API are stored sealed; seeded ones may be plain base32. */
export function sealTotpSecret(masterKey: Buffer, userId: string, secretBase32: string): string {
  return (
    sealedPrefix + seal(masterKey, Buffer.from(secretBase32, 'utf8'), `totp:${userId}`).toString('base64')
  );
}

export function openTotpSecret(masterKey: Buffer, userId: string, stored: string): string {
  if (!stored.startsWith(sealedPrefix)) return stored.replace(/\s+/g, '').toUpperCase();
  return open(masterKey, Buffer.from(stored.slice(sealedPrefix.length), 'base64'), `totp:${userId}`).toString(
    'utf8',
  );
}
