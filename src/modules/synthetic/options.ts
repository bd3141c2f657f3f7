import { createHash } from 'node:crypto';
import { systemContext } from '../../platform/context/index.ts';
import { inCallerTransaction, type Database } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { SeedTables } from './tables.ts';

export const defaultSeed = 20261123;
/** "Now" of generated records unless told otherwise: fixed, so the output never depends on the clock. */
export const defaultReferenceDate = new Date('2026-11-01T00:00:00Z');
/** Demo patients beyond the named ones: with them the demo holds a few dozen patients. */
export const defaultDemoPatients = 24;

export function integerOption(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AppError('invalid_request', `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Numbers (and numeric strings) are used as they are; other strings are hashed to 32 bits. */
export function resolveSeed(seed: number | string): number {
  if (typeof seed === 'string' && /^\d+$/.test(seed) && Number(seed) < 2 ** 32) return Number(seed);
  if (typeof seed === 'string') return createHash('sha256').update(seed).digest().readUInt32BE(0);
  return integerOption('seed', seed, 0, 2 ** 32 - 1);
}

/** Whether the records database already holds data (any institution), e.g. to seed the demo only once. */
export async function hasSeededData<DB>(database: Database<DB>): Promise<boolean> {
  const db = database as unknown as Database<SeedTables>;
  const rows = await inCallerTransaction(db, systemContext('check for existing data'), (trx) =>
    trx.selectFrom('institution').select('id').limit(1).execute(),
  );
  return rows.length > 0;
}
