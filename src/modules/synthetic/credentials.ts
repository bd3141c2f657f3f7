import { createHmac } from 'node:crypto';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Role } from '../../platform/context/index.ts';
import { isPrivileged } from '../identity/index.ts';
import { patientId, type World } from './world.ts';

/** `$CAREBASE_DATA_DIR/demo-credentials.json`, exactly in the SPEC §2 shape. */
export interface DemoCredentials {
  users: DemoCredentialsUser[];
  patients: DemoCredentialsPatient[];
}

export interface DemoCredentialsUser {
  username: string;
  name: string;
  password: string;
  totpSecret?: string;
  roles: Role[];
  institution: string;
  practitionerId?: string;
  /** The patient's own record, or for a delegate the record they act for. */
  patientId?: string;
}

export interface DemoCredentialsPatient {
  id: string;
  institution: string;
  name: string;
  careTeam: string[];
}

export const demoCredentialsFileName = 'demo-credentials.json';

/** A demo login with what `user_account` and `delegation` need beyond the credentials file. */
export interface DemoUser extends DemoCredentialsUser {
  id: string;
  delegation?: { patientId: string; relationship: 'parent' | 'guardian' | 'proxy' };
}

/** Unambiguous characters only (no 0/O, 1/l/I), so demo passwords can be read off a screen. */
const passwordAlphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function derive(secret: string, purpose: string, username: string, counter = 0): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\0${username}\0${counter}`).digest();
}

/**
 * 20 characters from a 55-character alphabet (~115 bits), grouped by dashes, with at least one lower-case
 * letter, upper-case letter and digit. Deterministic for (secret, username); unbiased (rejection sampling).
 */
export function derivePassword(secret: string, username: string): string {
  for (let counter = 0; ; counter++) {
    const chars: string[] = [];
    let block = 0;
    while (chars.length < 20) {
      for (const byte of derive(secret, 'password', username, counter * 1000 + block++)) {
        if (byte < 220 && chars.length < 20) chars.push(passwordAlphabet[byte % 55] as string);
      }
    }
    const password = [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /[0-9]/.test(password)) return password;
  }
}

/** RFC 4648 base32 without padding, as authenticator apps expect for TOTP secrets. */
export function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** A TOTP secret of 20 bytes (RFC 4226's recommended 160 bits), base32-encoded. */
export function deriveTotpSecret(secret: string, username: string): string {
  return base32(derive(secret, 'totp', username).subarray(0, 20));
}

/** The default credential secret: public for a given seed, so pass a private one outside local demos. */
export function defaultCredentialSecret(seed: number): string {
  return `carebase-demo-credentials:${seed}`;
}

/** Every demo login: staff of each institution, the named patients, and their delegates. */
export function demoUsers(world: World, secret: string): DemoUser[] {
  const users: DemoUser[] = [];
  const credentials = (username: string, roles: Role[]) => ({
    username,
    password: derivePassword(secret, username),
    // Privileged roles (clinicians, admins, privacy officers) must present a TOTP code; identity decides which.
    ...(isPrivileged(roles) ? { totpSecret: deriveTotpSecret(secret, username) } : {}),
    roles,
  });
  const userId = (username: string) => `u-${username.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
  for (const institution of world.institutions) {
    for (const member of institution.staff) {
      if (!member.username) continue;
      users.push({
        id: userId(member.username),
        name: `${member.role === 'physician' ? 'Dr. ' : ''}${member.given} ${member.family}`,
        ...credentials(member.username, [member.role]),
        institution: institution.id,
        practitionerId: member.practitionerId,
      });
    }
  }
  world.namedPatients.forEach((named, index) => {
    const id = patientId(world, index);
    const { name, delegate } = named.profile;
    users.push({
      id: userId(named.username),
      name: `${name?.given ?? ''} ${name?.family ?? ''}`.trim(),
      ...credentials(named.username, ['patient']),
      institution: named.institution,
      patientId: id,
    });
    if (delegate && named.delegateUsername) {
      users.push({
        id: userId(named.delegateUsername),
        name: `${delegate.given} ${delegate.family ?? name?.family ?? ''}`.trim(),
        ...credentials(named.delegateUsername, ['delegate']),
        institution: named.institution,
        patientId: id,
        delegation: { patientId: id, relationship: delegate.relationship },
      });
    }
  });
  return users;
}

/** The SPEC fields, in the SPEC's order. */
export function credentialsFileUser(user: DemoUser): DemoCredentialsUser {
  return {
    username: user.username,
    name: user.name,
    password: user.password,
    ...(user.totpSecret ? { totpSecret: user.totpSecret } : {}),
    roles: user.roles,
    institution: user.institution,
    ...(user.practitionerId ? { practitionerId: user.practitionerId } : {}),
    ...(user.patientId ? { patientId: user.patientId } : {}),
  };
}

/** Writes the file atomically with mode 0600: it holds every demo password and TOTP secret. */
export async function writeCredentialsFile(dataDir: string, credentials: DemoCredentials): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, demoCredentialsFileName);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
  return file;
}
