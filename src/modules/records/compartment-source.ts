import { sql, type Kysely } from 'kysely';
import type { ResourceFacts } from '../authz/access-policy.ts';
import { systemContext } from '../../platform/context/index.ts';
import { inCallerTransaction } from '../../platform/db/index.ts';
import { factsOf, type RecordsDeps } from './access.ts';
import { openRow, rowColumns, type StoredRow } from './store.ts';

/**
 * Every current, readable resource of the given patients, decrypted, with its stored facts: the source
 * for system work that has already been authorized elsewhere (the consent-gated research export, which
 * de-identifies and audits). Shredded patients yield nothing.
 */
export function compartmentSource(deps: Pick<RecordsDeps, 'database' | 'keys'>, reason: string) {
  return async (
    patientIds: readonly string[],
  ): Promise<{ body: Record<string, unknown>; facts: ResourceFacts }[]> => {
    if (patientIds.length === 0) return [];
    const rows = await inCallerTransaction(deps.database, systemContext(reason), async (trx) => {
      const result = await sql<StoredRow>`select ${rowColumns} from resource r
        left join data_key k on k.owner = r.key_owner
        where r.patient_id = any(${[...patientIds]}::text[]) and not r.deleted
          and (r.body_enc is null or k.wrapped is not null)
        order by r.patient_id, r.resource_type, r.id`.execute(trx as unknown as Kysely<unknown>);
      return result.rows;
    });
    const out = [];
    for (const row of rows) out.push({ body: await openRow(deps.keys, row), facts: factsOf(row) });
    return out;
  };
}
