import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../config/index.ts';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/**
 * A Kysely handle over PGlite (embedded) or PostgreSQL (production). `DB` is the table map of the
 * caller; the platform does not know the modules' tables.
 */
export interface Database<DB = unknown> {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Kysely<DB>;
  ping(): Promise<void>;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** The driver behind a Kysely handle opened here, for bulk reads Kysely cannot express (`COPY … TO`). */
export type DatabaseDriver = { kind: 'postgres'; pool: pg.Pool } | { kind: 'pglite'; pglite: PGlite };
const drivers = new WeakMap<object, DatabaseDriver>();

/** The pool or PGlite instance of a handle from `openDatabase`; undefined for any other handle. */
export function databaseDriver(db: Kysely<unknown>): DatabaseDriver | undefined {
  return drivers.get(db);
}

/** Opens a PGlite instance persisted under `dataDir`, or in memory for `memory://`. */
export async function openPGlite(dataDir: string): Promise<PGlite> {
  if (dataDir !== 'memory://') await mkdir(dataDir, { recursive: true, mode: 0o700 });
  return PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
}

export async function openDatabase<DB>(
  config: DatabaseConfig,
  options: { url?: string; pglite?: PGlite; applicationName?: string } = {},
): Promise<Database<DB>> {
  if (config.kind === 'pglite') {
    const pglite = options.pglite ?? (await openPGlite(config.dataDir));
    const ownsInstance = !options.pglite;
    const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
    drivers.set(db, { kind: 'pglite', pglite });
    let closed = false;
    return {
      kind: 'pglite',
      db,
      ping: async () => void (await sql`select 1`.execute(db)),
      poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
      close: async () => {
        if (closed) return;
        closed = true;
        // Kysely's PGlite driver closes the instance on destroy; a shared instance must stay open.
        if (ownsInstance) await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: options.url ?? config.url,
    max: config.poolSize,
    application_name: options.applicationName ?? 'carebase',
    connectionTimeoutMillis: 5_000,
  });
  // An idle client's socket error must not crash the process; the pool replaces the client.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  drivers.set(db, { kind: 'postgres', pool });
  return {
    kind: 'postgres',
    db,
    ping: async () => void (await sql`select 1`.execute(db)),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  };
}
