import { sql, type Kysely } from 'kysely';
import type { Bus, StopConsuming } from '../../../platform/bus/index.ts';
import type { Logger } from '../../../platform/logging/index.ts';
import type { AuditLedger } from '../ledger/audit-ledger.ts';
import { readEntryPage, readLedgerSize, type StoredEntryRow } from '../ledger/ledger-store.ts';

export const AUDIT_STREAM = 'AUDIT';
const PUBLISH_LOCK_KEY = 0x617564_6975;
const CURSOR = 'bus';

export interface ReplicatedEntry {
  seq: number;
  entry: string;
  leafHash: string;
}

/** One bus message: consecutive entries, so publishing and archiving cost one round trip per page. */
export interface ReplicatedPage {
  entries: ReplicatedEntry[];
}

/** Entries per message stop growing past this many bytes of entry text (NATS refuses payloads over 1 MiB). */
const maxMessageBytes = 256 * 1024;

export interface Replication {
  /** Publishes everything committed but not yet published; returns how many entries it sent. */
  pump(): Promise<number>;
  /** Starts the archive consumer (idempotent inserts keyed by index); the worker process runs it. */
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
  /**
   * How long a commit waits before it triggers a pump (default 50 ms), so that under load one publishing
   * transaction and one archive insert carry many commits' entries instead of each commit paying for both.
   */
  publishDelayMs?: number;
}

/**
 * Asynchronous replication of the ledger to JetStream (SPEC §4, production). A cursor in the ledger
 * database says what was published; publishing a page and advancing the cursor happen under one
 * transaction-scoped lock. Each message carries a run of consecutive entries and `<ledger id>:<first
 * index>:<count>` as its JetStream msg-id, so a crash between publishing and advancing re-publishes what
 * JetStream drops as a duplicate or, if more entries had committed meanwhile, a longer run. The consumer
 * inserts each message in one statement by index with ON CONFLICT DO NOTHING, so overlaps and redeliveries
 * change nothing. One message per page rather than per entry keeps replication's cost per audited request
 * to a small fraction of a round trip (per-entry publishing and inserting cost the API more than the
 * request itself at 1,000 reads/s).
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
      // Pipelined: the messages go out at once and the acknowledgements are awaited together. Any failure
      // rolls the cursor back; what is re-published is dropped as a duplicate or stored over itself.
      await Promise.all(
        messagesOf(page).map((entries) =>
          bus.publish(`audit.entry.${id}`, { entries } satisfies ReplicatedPage, {
            msgId: `${id}:${entries[0]!.seq}:${entries.length}`,
          }),
        ),
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

  const run = (drain: boolean): Promise<number> => {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = (drain ? pumpAll() : publishPage()).finally(() => {
      pumping = undefined;
    });
    return pumping;
  };
  /** Publishes everything committed so far (tests, shutdown). */
  const pump = () => run(true);

  const publishDelayMs = options.publishDelayMs ?? 50;
  let delayed: NodeJS.Timeout | undefined;
  const schedule = () => {
    delayed ??= setTimeout(() => {
      delayed = undefined;
      pumpInBackground();
    }, publishDelayMs);
  };
  // In the background one page at a time: a backlog (after a burst, or a bus outage) drains a page per
  // delay (10,000 entries/s by default), so catching up never crowds out the requests being served.
  function pumpInBackground() {
    if (closed) return;
    run(false).then(
      (sent) => {
        if (sent >= pageSize) schedule();
      },
      (error: unknown) => logger.warn({ err: error }, 'audit replication publish failed; will retry'),
    );
  }

  const unsubscribe = ledger.onCommit(schedule);
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
          const { entries } = message.json<ReplicatedPage>();
          if (entries.length === 0) return;
          await sql`insert into audit_replica (seq, entry, leaf_hash)
            select seq, entry, decode(leaf_hash, 'hex')
            from unnest(${entries.map((e) => e.seq)}::bigint[], ${entries.map((e) => e.entry)}::text[],
                        ${entries.map((e) => e.leafHash)}::text[]) as u(seq, entry, leaf_hash)
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
      // The archive is filled in index order (one ordered consumer), so its highest index tells how far
      // it has come; an index lookup, never a count.
      const { rows } = await sql<{ next: number }>`
        select coalesce(max(seq) + 1, 0)::float8 as next from audit_replica`.execute(db);
      return Math.max(0, (await readLedgerSize(db)) - Number(rows[0]?.next ?? 0));
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      if (delayed) clearTimeout(delayed);
      unsubscribe();
      await pumping?.catch(() => 0);
      await this.stopConsumer();
    },
  };
}

/** Splits a page of entries into messages of at most `maxMessageBytes` of entry text (one entry at least). */
function messagesOf(page: readonly StoredEntryRow[]): ReplicatedEntry[][] {
  const messages: ReplicatedEntry[][] = [];
  let current: ReplicatedEntry[] = [];
  let bytes = 0;
  for (const row of page) {
    if (current.length > 0 && bytes + row.entry.length > maxMessageBytes) {
      messages.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ seq: row.seq, entry: row.entry, leafHash: Buffer.from(row.leafHash).toString('hex') });
    bytes += row.entry.length;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}
