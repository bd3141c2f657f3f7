import { sql, type Kysely } from 'kysely';
import type { Bus, StopConsuming } from '../../../platform/bus/index.ts';
import type { Logger } from '../../../platform/logging/index.ts';
import type { AuditLedger } from '../ledger/audit-ledger.ts';
import { readEntryPage, readLedgerSize } from '../ledger/ledger-store.ts';

export const AUDIT_STREAM = 'AUDIT';
const PUBLISH_LOCK_KEY = 0x617564_6975;
const CURSOR = 'bus';

export interface ReplicatedEntry {
  seq: number;
  entry: string;
  leafHash: string;
}

export interface Replication {
  /** Publishes everything committed but not yet published; returns how many entries it sent. */
  pump(): Promise<number>;
  /** Starts the archive consumer (idempotent inserts keyed by index). */
  startConsumer(): Promise<void>;
  stopConsumer(): Promise<void>;
  /** Entries not yet in the archive: unpublished plus published-but-unconsumed. */
  lag(): Promise<number>;
  close(): Promise<void>;
}

export interface ReplicationOptions {
  db: Kysely<unknown>;
  bus: Bus;
  ledger: AuditLedger;
  logger: Logger;
  pageSize?: number;
  /** Catch-up schedule when no commit triggers a pump (default 5 s; 0 disables). */
  intervalMs?: number;
}

/**
 * Asynchronous replication of the ledger to JetStream (SPEC §4, production). A cursor in the ledger
 * database says what was published; publishing a page and advancing the cursor happen under one
 * transaction-scoped lock, and each message carries `<ledger id>:<index>` as its JetStream msg-id, so a
 * crash between the two re-publishes only duplicates that JetStream drops. The consumer inserts by index
 * with ON CONFLICT DO NOTHING, so redeliveries change nothing either.
 */
export function createReplication(options: ReplicationOptions): Replication {
  const { db, bus, ledger, logger } = options;
  const pageSize = options.pageSize ?? 500;
  let ledgerId: Promise<string> | undefined;
  let stopConsumer: StopConsuming | undefined;
  let pumping: Promise<number> | undefined;
  let again = false;
  let closed = false;

  const identity = () =>
    (ledgerId ??= (async () => {
      const { rows } = await sql<{
        value: string;
      }>`select value from audit_meta where key = 'ledger_id'`.execute(db);
      const id = rows[0]?.value;
      if (!id) throw new Error('audit_meta has no ledger_id');
      await bus.ensureStream(AUDIT_STREAM, ['audit.entry.>'], {
        duplicateWindowMs: 10 * 60_000,
        // Transport, not the archive: the consumer's store keeps entries; the stream only bridges outages.
        maxAgeMs: 7 * 24 * 3_600_000,
      });
      return id;
    })().catch((error: unknown) => {
      ledgerId = undefined;
      throw error;
    }));

  async function publishPage(): Promise<number> {
    const id = await identity();
    return db.transaction().execute(async (trx) => {
      const { rows: locked } = await sql<{
        ok: boolean;
      }>`select pg_try_advisory_xact_lock(${PUBLISH_LOCK_KEY}) as ok`.execute(trx);
      if (!locked[0]?.ok) return 0; // another process is publishing
      await sql`insert into audit_replication_cursor (name, next_seq) values (${CURSOR}, 0) on conflict do nothing`.execute(
        trx,
      );
      const { rows } = await sql<{ next: number }>`
        select next_seq::float8 as next from audit_replication_cursor where name = ${CURSOR} for update`.execute(
        trx,
      );
      const from = Number(rows[0]?.next ?? 0);
      const page = await readEntryPage(trx, from, pageSize);
      // Pipelined: the page goes out at once and the acknowledgements are awaited together. Any failure
      // rolls the cursor back; the re-published ids are dropped as duplicates, the consumer keys by index.
      await Promise.all(
        page.map((row) => {
          const message: ReplicatedEntry = {
            seq: row.seq,
            entry: row.entry,
            leafHash: Buffer.from(row.leafHash).toString('hex'),
          };
          return bus.publish(`audit.entry.${id}`, message, { msgId: `${id}:${row.seq}` });
        }),
      );
      if (page.length > 0) {
        await sql`update audit_replication_cursor set next_seq = ${from + page.length} where name = ${CURSOR}`.execute(
          trx,
        );
      }
      return page.length;
    });
  }

  async function pumpAll(): Promise<number> {
    let total = 0;
    for (;;) {
      again = false;
      const sent = await publishPage();
      total += sent;
      if (sent < pageSize && !again) return total;
    }
  }

  const pump = (): Promise<number> => {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = pumpAll().finally(() => {
      pumping = undefined;
    });
    return pumping;
  };
  const pumpInBackground = () => {
    if (closed) return;
    pump().catch((error: unknown) =>
      logger.warn({ err: error }, 'audit replication publish failed; will retry'),
    );
  };

  const unsubscribe = ledger.onCommit(pumpInBackground);
  const intervalMs = options.intervalMs ?? 5_000;
  const timer = intervalMs > 0 ? setInterval(pumpInBackground, intervalMs) : undefined;
  timer?.unref();

  const durable = async () => `audit-archive-${await identity()}`;

  return {
    pump,
    async startConsumer() {
      if (stopConsumer) return;
      const id = await identity();
      stopConsumer = await bus.consume(
        { stream: AUDIT_STREAM, durable: await durable(), subject: `audit.entry.${id}` },
        async (message) => {
          const { seq, entry, leafHash } = message.json<ReplicatedEntry>();
          await sql`insert into audit_replica (seq, entry, leaf_hash) values (${seq}, ${entry}, decode(${leafHash}, 'hex'))
            on conflict (seq) do nothing`.execute(db);
        },
        { onHandlerError: (error) => logger.error({ err: error }, 'audit archive consumer failed') },
      );
    },
    async stopConsumer() {
      const stop = stopConsumer;
      stopConsumer = undefined;
      await stop?.();
    },
    async lag() {
      const { rows } = await sql<{ next: number }>`
        select coalesce((select next_seq from audit_replication_cursor where name = ${CURSOR}), 0)::float8 as next`.execute(
        db,
      );
      const unpublished = (await readLedgerSize(db)) - Number(rows[0]?.next ?? 0);
      const consumer = await bus
        .consumerLag(AUDIT_STREAM, await durable())
        .catch(() => ({ pending: 0, ackPending: 0 }));
      return unpublished + consumer.pending + consumer.ackPending;
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      unsubscribe();
      await pumping?.catch(() => 0);
      await this.stopConsumer();
    },
  };
}
