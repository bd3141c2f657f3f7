import { randomBytes } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';
import { AppError } from '../../platform/errors/index.ts';

/** argon2id with the OWASP 2023 baseline (19 MiB, 2 passes, 1 lane); `2` is Algorithm.Argon2id. */
export const argon2Options: Options = {
  algorithm: 2 as Options['algorithm'],
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export const passwordRules = { minLength: 12, maxLength: 256 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

/** argon2 verification compares in constant time; a malformed stored hash counts as a mismatch. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a random password with the same parameters, verified when the username is unknown so the
 * answer takes as long as for a wrong password (no user enumeration by timing).
 */
export function createDummyHash(): Promise<string> {
  return hashPassword(randomBytes(24).toString('base64url'));
}

/** NIST SP 800-63B style: length over composition rules; never the username. */
export function assertAcceptablePassword(password: string, username: string): void {
  const length = [...password].length;
  const problems: string[] = [];
  if (length < passwordRules.minLength)
    problems.push(`must be at least ${passwordRules.minLength} characters`);
  if (length > passwordRules.maxLength)
    problems.push(`must be at most ${passwordRules.maxLength} characters`);
  if (password.trim().toLowerCase() === username.trim().toLowerCase())
    problems.push('must not be the username');
  if (/^(.)\1*$/u.test(password)) problems.push('must not repeat a single character');
  if (problems.length > 0) {
    throw new AppError('validation_failed', 'The password is not acceptable', {
      issues: problems.map((message) => ({ path: 'password', message })),
    });
  }
}
