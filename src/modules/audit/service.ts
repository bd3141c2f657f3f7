import { sql, type Kysely } from 'kysely';
import type { Bus } from '../../platform/bus/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { Logger } from '../../platform/logging/index.ts';
import type { ObjectStorage } from '../../platform/storage/index.ts';
import { noteVerifierFromPublicKey, type NoteVerifier } from './checkpoint/index.ts';
import { createAuditLedger, type AuditLedger } from './ledger/audit-ledger.ts';
import { createCheckpointer, type Checkpointer } from './publish/checkpointer.ts';
import { ledgerOrigin, loadCheckpointSigner } from './publish/checkpoint-keys.ts';
import { createReplication, type Replication } from './replication/replication.ts';

/** Ledger settings from the configuration (`config.audit`). */
export interface AuditSettings {
  /** Entries are kept at least this long; the ledger never deletes (SPEC §4: 6 years). */
  retentionDays: number;
  checkpointEveryEntries: number;
  checkpointIntervalMs: number;
  /** Scheduled verification in the worker; 0 disables it. */
  verifyIntervalMs: number;
  groupCommitMaxDelayMs: number;
  groupCommitMaxBatch: number;
}

export const defaultAuditSettings: AuditSettings = {
  retentionDays: 6 * 365 + 2,
  checkpointEveryEntries: 10_000,
  checkpointIntervalMs: 60_000,
  verifyIntervalMs: 3_600_000,
  groupCommitMaxDelayMs: 1,
  groupCommitMaxBatch: 1_000,
};

export interface AuditServiceDeps {
  database: Database;
  storage: ObjectStorage;
  logger: Logger;
  keysDir: string;
  publicUrl: string;
  settings?: Partial<AuditSettings>;
  /** Replicates entries to the bus (JetStream in production) and runs the idempotent archive consumer. */
  bus?: Bus;
}

/** The ledger (`append`) plus what publishes and checks it. Other modules only call `append`. */
export interface AuditService extends AuditLedger {
  readonly settings: AuditSettings;
  readonly origin: string;
  readonly verifier: NoteVerifier;
  readonly checkpoints: Checkpointer;
  readonly db: Kysely<unknown>;
  readonly storage: ObjectStorage;
  readonly replication: Replication | undefined;
}

export async function createAuditService(deps: AuditServiceDeps): Promise<AuditService> {
  const settings = { ...defaultAuditSettings, ...deps.settings };
  const origin = ledgerOrigin(deps.publicUrl);
  const signer = await loadCheckpointSigner(deps.keysDir, origin);
  const ledger = createAuditLedger({
    database: deps.database,
    logger: deps.logger,
    maxBatch: settings.groupCommitMaxBatch,
    maxDelayMs: settings.groupCommitMaxDelayMs,
  });
  const db = deps.database.db as Kysely<unknown>;
  const checkpoints = createCheckpointer({
    ledger,
    db,
    storage: deps.storage,
    signer,
    logger: deps.logger,
    everyEntries: settings.checkpointEveryEntries,
    intervalMs: settings.checkpointIntervalMs,
  });
  await warnIfLedgerOwner(deps);
  const replication = deps.bus
    ? createReplication({ db, bus: deps.bus, ledger, logger: deps.logger })
    : undefined;
  return {
    ...ledger,
    settings,
    origin,
    verifier: noteVerifierFromPublicKey(signer.name, signer.publicKey),
    checkpoints,
    db,
    storage: deps.storage,
    replication,
    async close() {
      await ledger.close();
      await replication?.pump().catch(() => 0);
      await replication?.close();
      // A last checkpoint so a clean shutdown leaves nothing unpublished.
      await checkpoints
        .checkpointNow()
        .catch((error: unknown) => deps.logger.error({ err: error }, 'final audit checkpoint failed'));
      await checkpoints.close();
    },
  };
}

/**
 * Append-only rests on the runtime role not owning the ledger (an owner can drop the triggers). Production
 * should migrate with AUDIT_DATABASE_OWNER_URL so the runtime role only has SELECT and INSERT.
 */
async function warnIfLedgerOwner(deps: AuditServiceDeps): Promise<void> {
  if (deps.database.kind !== 'postgres') return;
  const { rows } = await sql<{ owns: boolean }>`
    select pg_get_userbyid(relowner) = current_user as owns from pg_class
    where relname = 'audit_entry' and relkind = 'r'`
    .execute(deps.database.db)
    .catch(() => ({ rows: [] as { owns: boolean }[] }));
  if (rows[0]?.owns) {
    deps.logger.warn(
      'the runtime role owns the audit ledger tables; set AUDIT_DATABASE_OWNER_URL so it can only SELECT and INSERT',
    );
  }
}
