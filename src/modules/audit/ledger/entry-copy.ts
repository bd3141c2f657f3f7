import type { Kysely } from 'kysely';
import { to as copyTo } from 'pg-copy-streams';
import { databaseDriver } from '../../../platform/db/index.ts';
import { COPIED_COLUMNS } from './copied-rows.ts';

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
 * `openDatabase` (it reads through the pool or PGlite instance behind it).
 */
export async function copyEntryPage(
  db: Kysely<unknown>,
  fromSeq: number,
  limit: number,
): Promise<Uint8Array> {
  const driver = databaseDriver(db);
  if (!driver) throw new Error('the ledger reader needs a database handle opened by openDatabase');
  if (driver.kind === 'pglite') {
    const { blob } = await driver.pglite.query(copySql(fromSeq, limit, `'/dev/blob'`));
    if (!blob) throw new Error('PGlite returned no COPY output');
    return new Uint8Array(await blob.arrayBuffer());
  }
  const client = await driver.pool.connect();
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(copySql(fromSeq, limit, 'stdout')))) {
      chunks.push(chunk as Buffer);
    }
    client.release();
    return Buffer.concat(chunks);
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}
