import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL, used as an administrator to create a fresh database and role per test file. */
export const postgresAdminUrl =
  process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgres {
  database: string;
  /** Connects as the owner (a superuser on this machine): for migrations and test set-up. */
  ownerUrl: string;
  /** Connects as an ordinary role without BYPASSRLS: what the application uses. */
  appUrl: string;
  appRole: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for the production-backend tests and is unreachable at ${postgresAdminUrl}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `carebase_<label>_<random>` with an owner-migrated schema left to the caller, plus an app role. */
export async function createTestPostgres(label: string): Promise<TestPostgres> {
  const suffix = randomBytes(4).toString('hex');
  return openPostgresDatabase(`carebase_${label.replace(/[^a-z0-9]/g, '_')}_${suffix}`);
}

/**
 * `database` and its application role `<database>_app`: created, or with `reuse` kept as they are when
 * they exist (benchmarks reusing a large seed).
 */
export async function openPostgresDatabase(database: string, reuse = false): Promise<TestPostgres> {
  const appRole = `${database}_app`;
  await admin(async (client) => {
    const exists = async (table: string, column: string, name: string) =>
      reuse &&
      ((await client.query(`select 1 from ${table} where ${column} = $1`, [name])).rowCount ?? 0) > 0;
    if (!(await exists('pg_database', 'datname', database)))
      await client.query(`create database ${database}`);
    if (!(await exists('pg_roles', 'rolname', appRole)))
      await client.query(`create role ${appRole} login nosuperuser nobypassrls`);
  });
  const ownerUrl = new URL(postgresAdminUrl);
  ownerUrl.pathname = `/${database}`;
  const appUrl = new URL(ownerUrl);
  appUrl.username = appRole;
  appUrl.password = '';
  return {
    database,
    ownerUrl: ownerUrl.toString(),
    appUrl: appUrl.toString(),
    appRole,
    drop: () =>
      admin(async (client) => {
        await client.query(`drop database if exists ${database} with (force)`);
        await client.query(`drop role if exists ${appRole}`);
      }),
  };
}
