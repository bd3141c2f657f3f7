import type { Kysely } from 'kysely';
import { databaseDriver } from '../../../platform/db/index.ts';
import { COPIED_COLUMNS } from './copied-rows.ts';
import { CopyOutQuery, CopyOutReader, ERROR_RESPONSE, errorResponseText, queryMessage } from './copy-out.ts';

/*
 * The bulk read behind `verify`: pages of `audit_entry` as PostgreSQL's binary COPY format, from
 * `COPY … TO STDOUT` (PostgreSQL) or `COPY … TO '/dev/blob'` (PGlite). The stored entry text arrives as
 * its exact UTF-8 bytes (what was hashed), the leaf hash as 32 raw bytes, `at` as microseconds: no row
 * objects, no hex or JSON decoding, and a page can be handed to a worker thread as one buffer.
 */

function copySql(fromSeq: number, limit: number, target: string): string {
  if (!Number.isSafeInteger(fromSeq) || !Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError('a page starts at a safe integer and holds at least one entry');
  }
  return `copy (select ${COPIED_COLUMNS.join(', ')} from audit_entry where seq >= ${fromSeq} order by seq limit ${limit}) to ${target} (format binary)`;
}

/**
 * Up to `limit` entries from `fromSeq` in index order, as one binary COPY document. Needs a handle from
 * `openDatabase` (it reads through the pool or PGlite instance behind it). The document is written into
 * `into` when it fits (the result is then a view of it), else into a new buffer.
 */
export async function copyEntryPage(
  db: Kysely<unknown>,
  fromSeq: number,
  limit: number,
  into?: Uint8Array,
): Promise<Uint8Array> {
  const driver = databaseDriver(db);
  if (!driver) throw new Error('the ledger reader needs a database handle opened by openDatabase');
  if (driver.kind === 'pglite') {
    // The raw protocol stream, as from a server: no Blob of per-write copies (what `TO '/dev/blob'` costs).
    // Under both of PGlite's locks, as `query` takes them: never inside another caller's open transaction.
    const { pglite } = driver;
    const reader = new CopyOutReader(into);
    const after: Uint8Array[] = [];
    const message = queryMessage(copySql(fromSeq, limit, 'stdout'));
    await pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(() =>
        pglite.execProtocolRawStream(message, {
          syncToFs: false,
          onRawData: (chunk) => {
            const rest = reader.read(chunk);
            if (rest >= 0 && rest < chunk.length) after.push(chunk.slice(rest));
          },
        }),
      ),
    );
    const tail = Buffer.concat(after);
    if (tail[0] === ERROR_RESPONSE) throw new Error(`the ledger COPY failed: ${errorResponseText(tail)}`);
    if (!reader.ended) throw new Error('the ledger COPY ended early');
    return reader.document;
  }
  const client = await driver.pool.connect();
  try {
    const page = await client.query(new CopyOutQuery(copySql(fromSeq, limit, 'stdout'), into)).done;
    client.release();
    return page;
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}
