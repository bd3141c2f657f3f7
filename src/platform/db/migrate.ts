import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import { AppError } from '../errors/index.ts';

export type Migrations = Record<string, Migration>;

/**
 * Runs Kysely's migrator over a static set of migrations (the same set on PGlite and PostgreSQL).
 * Names sort chronologically: `YYYYMMDD_NN_what`.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  migrations: Migrations,
  options: { tableName?: string } = {},
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: options.tableName ?? 'kysely_migration',
    migrationLockTableName: `${options.tableName ?? 'kysely_migration'}_lock`,
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new AppError('internal', `Migration ${failed} failed`, { cause: result.error });
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
