import { sql, type Kysely } from 'kysely';
import type { Config, DatabaseConfig } from '../config/index.ts';
import { createBus, type Bus } from '../platform/bus/index.ts';
import { createCache, type Cache } from '../platform/cache/index.ts';
import {
  assertRowLevelSecurityApplies,
  grantAppRoleTo,
  migrateToLatest,
  openDatabase,
  type Database,
  type Migrations,
} from '../platform/db/index.ts';
import { createJobQueue, type JobQueue } from '../platform/jobs/index.ts';
import type { Logger } from '../platform/logging/index.ts';
import { createObjectStorage, type ObjectStorage } from '../platform/storage/index.ts';
import { auditDatabaseMigrations, recordsDatabaseMigrations } from './migrations.ts';
import { createAuditService, type AuditService } from '../modules/audit/index.ts';

/** Every backend the process talks to, opened once from the configuration. */
export interface Runtime {
  config: Config;
  logger: Logger;
  records: Database;
  audit: Database;
  /** The tamper-evident ledger over `audit`: `append(ctx, event)` resolves once the entry is durable. */
  auditLog: AuditService;
  cache: Cache;
  bus: Bus;
  storage: ObjectStorage;
  jobs: JobQueue;
  close(): Promise<void>;
}

/**
 * Opens the backends, migrates both databases, and in production refuses a database role that would
 * bypass row-level security. On failure, whatever was opened is closed again.
 */
export async function openRuntime(
  config: Config,
  logger: Logger,
  options: { migrate?: boolean } = {},
): Promise<Runtime> {
  const opened: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(resource: T): T => {
    opened.push(resource);
    return resource;
  };
  const closeAll = async () => {
    for (const resource of opened.reverse()) await resource.close().catch(() => {});
  };
  try {
    const records = track(await openDatabase(config.db, { applicationName: 'carebase' }));
    await assertRowLevelSecurityApplies(records);
    const audit = track(await openDatabase(config.auditDb, { applicationName: 'carebase-audit' }));
    if (options.migrate ?? true) {
      await migrateDatabase(config.db, records, recordsDatabaseMigrations, logger, 'records');
      await migrateDatabase(config.auditDb, audit, auditDatabaseMigrations, logger, 'audit');
    }
    const cache = track(
      await createCache(config.cache, {
        keyPrefix: 'carebase:',
        onSubscriberError: (err, channel) => logger.error({ err, channel }, 'cache subscriber failed'),
        onConnectionError: (err) => logger.warn({ err }, 'cache connection error'),
      }),
    );
    const bus = track(
      await createBus(config.bus, {
        name: 'carebase',
        onConsumerError: (err: unknown) => logger.error({ err }, 'bus consumer failed'),
      }),
    );
    const storage = track(await createObjectStorage(config.storage));
    // Tracked after storage so it closes first: pending appends commit and a last checkpoint is stored.
    const auditLog = track(
      await createAuditService({
        database: audit,
        storage,
        logger,
        keysDir: config.keysDir,
        publicUrl: config.http.publicUrl,
        settings: config.audit,
        bus,
      }),
    );
    return {
      config,
      logger,
      records,
      audit,
      auditLog,
      cache,
      bus,
      storage,
      jobs: createJobQueue(records),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Migrations run as the owner role when DATABASE_OWNER_URL is given (the runtime role then only gets
 * table privileges through `carebase_app`), else as the runtime role itself.
 */
async function migrateDatabase(
  config: DatabaseConfig,
  database: Database,
  migrations: Migrations,
  logger: Logger,
  name: string,
): Promise<void> {
  if (config.kind === 'postgres' && config.ownerUrl) {
    const owner = await openDatabase(config, { url: config.ownerUrl, applicationName: 'carebase-migrate' });
    try {
      const applied = await migrateToLatest(owner.db as Kysely<unknown>, migrations);
      const { rows } = await sql<{ current_user: string }>`select current_user`.execute(database.db);
      await grantAppRoleTo(owner.db as Kysely<unknown>, rows[0]!.current_user);
      if (applied.length > 0) logger.info({ database: name, applied }, 'migrations applied');
    } finally {
      await owner.close();
    }
    return;
  }
  const applied = await migrateToLatest(database.db as Kysely<unknown>, migrations);
  if (applied.length > 0) logger.info({ database: name, applied }, 'migrations applied');
}
