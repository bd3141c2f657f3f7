import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context/index.ts';
import { inCallerTransaction, type Database } from '../../platform/db/index.ts';
import type { DataKeyRing } from './data-keys.ts';

const batchSize = 500;

/**
 * Re-wraps every data key under its institution's current KEK (after creating a new KEK version for each
 * institution when `newKek` is set). Online: each batch is its own short transaction, readers unwrap with
 * whichever KEK id the row names, and old KEK files stay until nothing refers to them.
 */
export async function rotateKeyEncryptionKeys(
  database: Database,
  ring: DataKeyRing,
  ctx: RequestContext,
  options: { newKek?: boolean } = {},
): Promise<{ institutions: number; rewrapped: number }> {
  const institutions = await inCallerTransaction(database, ctx, async (trx) => {
    const { rows } = await sql<{ institution_id: string }>`
      select distinct institution_id from data_key`.execute(trx as unknown as Kysely<unknown>);
    return rows.map((r) => r.institution_id);
  });
  const current = new Map<string, string>();
  for (const institution of institutions) {
    current.set(
      institution,
      options.newKek ? await ring.keks.rotate(institution) : await ring.keks.currentId(institution),
    );
  }
  let rewrapped = 0;
  for (const [institution, kekId] of current) {
    for (;;) {
      const done = await inCallerTransaction(database, ctx, async (t) => {
        const trx = t as unknown as Kysely<unknown>;
        const { rows } = await sql<{ owner: string; kek_id: string; wrapped: Uint8Array }>`
          select owner, kek_id, wrapped from data_key
          where institution_id = ${institution} and kek_id <> ${kekId} and wrapped is not null
          order by owner limit ${batchSize} for update skip locked`.execute(trx);
        for (const row of rows) {
          const dek = await ring.unwrap(row.owner, row.kek_id, row.wrapped);
          if (!dek) continue;
          const next = await ring.keks.wrap(institution, row.owner, dek);
          await sql`
            update data_key set kek_id = ${next.kekId}, wrapped = ${next.wrapped}, rewrapped_at = now()
            where owner = ${row.owner}`.execute(trx);
        }
        return rows.length;
      });
      rewrapped += done;
      if (done < batchSize) break;
    }
  }
  return { institutions: institutions.length, rewrapped };
}

/**
 * Crypto-shreds a patient: the wrapped data key is destroyed and the search index rows removed, so every
 * stored version of every resource in the compartment becomes unreadable. The rows stay (ids, dates) for
 * referential integrity; their bodies are undecryptable noise.
 */
export async function shredPatientKey(trx: Kysely<unknown>, patientId: string): Promise<boolean> {
  const { rows } = await sql<{ owner: string }>`
    update data_key set wrapped = null, shredded_at = now()
    where owner = ${`patient:${patientId}`} and wrapped is not null returning owner`.execute(trx);
  await sql`delete from resource_search where patient_id = ${patientId}`.execute(trx);
  return rows.length > 0;
}
