import { createHmac, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { AppError } from '../../platform/errors/index.ts';
import type { KeyEncryptionKeys } from './kek.ts';

/** Who a data key belongs to: a patient, or an institution for resources outside any patient compartment. */
export interface KeyOwner {
  owner: string;
  institutionId: string;
  patientId: string | null;
}

export function keyOwnerFor(institutionId: string, patientId: string | null | undefined): KeyOwner {
  return patientId
    ? { owner: `patient:${patientId}`, institutionId, patientId }
    : { owner: `institution:${institutionId}`, institutionId, patientId: null };
}

/**
 * Per-owner AES-256 data keys, stored wrapped in `data_key` and read in the same query as the rows they
 * protect, so a shredded key (wrapped = null) is effective at once in every process. Unwrapped keys are
 * cached by their wrapped bytes only: a re-wrap or shred changes what the row holds and misses the cache.
 */
export interface DataKeyRing {
  readonly keks: KeyEncryptionKeys;
  /** The owner's key, created and wrapped on first use inside the caller's transaction. */
  forWrite(trx: Kysely<unknown>, owner: KeyOwner): Promise<Buffer>;
  /** Unwraps a key row as read beside a resource; undefined when the key has been shredded. */
  unwrap(owner: string, kekId: string | null, wrapped: Uint8Array | null): Promise<Buffer | undefined>;
  /** HMAC-SHA-256 blind index of an identifying search value, hex. */
  blindIndex(value: string): Promise<string>;
}

const cacheLimit = 20_000;

export function createDataKeyRing(keks: KeyEncryptionKeys): DataKeyRing {
  const cache = new Map<string, Buffer>();
  let indexKey: Buffer | undefined;

  async function unwrap(owner: string, kekId: string | null, wrapped: Uint8Array | null) {
    if (!kekId || !wrapped) return undefined;
    const bytes = Buffer.from(wrapped);
    const cacheKey = `${owner}\u0000${kekId}\u0000${bytes.toString('base64')}`;
    const hit = cache.get(cacheKey);
    if (hit) return hit;
    const dek = await keks.unwrap(kekId, owner, bytes);
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, dek);
    return dek;
  }

  return {
    keks,
    unwrap,
    async forWrite(trx, owner) {
      const read = () =>
        sql<{ kek_id: string; wrapped: Uint8Array | null; shredded_at: Date | null }>`
          select kek_id, wrapped, shredded_at from data_key where owner = ${owner.owner}`.execute(trx);
      let row = (await read()).rows[0];
      if (!row) {
        const dek = randomBytes(32);
        const { kekId, wrapped } = await keks.wrap(owner.institutionId, owner.owner, dek);
        await sql`
          insert into data_key (owner, institution_id, patient_id, kek_id, wrapped)
          values (${owner.owner}, ${owner.institutionId}, ${owner.patientId}, ${kekId}, ${wrapped})
          on conflict (owner) do nothing`.execute(trx);
        row = (await read()).rows[0];
      }
      if (!row) throw new AppError('internal', 'Data key could not be created');
      const dek = await unwrap(owner.owner, row.kek_id, row.wrapped);
      if (!dek) throw new AppError('gone', 'This record has been erased', { reason: 'crypto_shredded' });
      return dek;
    },
    async blindIndex(value) {
      indexKey ??= await keks.blindIndexKey();
      return createHmac('sha256', indexKey).update(value, 'utf8').digest('hex').slice(0, 32);
    },
  };
}
