import { sql, type Kysely } from 'kysely';

/**
 * `carebase_app` is the group role that holds the application's table privileges. In embedded mode caller
 * transactions switch to it; in production the runtime login role is made a member of it after migrating
 * (`grantAppRoleTo`). Creating it needs CREATEROLE; an owner without it keeps its own privileges instead.
 */
export async function ensureAppRole(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$ begin
      if not exists (select from pg_roles where rolname = 'carebase_app') then
        create role carebase_app nologin;
      end if;
    exception when insufficient_privilege then null;
    end $$`.execute(db);
}

export async function grantToAppRole(db: Kysely<unknown>, tables: string[]): Promise<void> {
  const { rows } = await sql<{
    exists: boolean;
  }>`select exists (select from pg_roles where rolname = 'carebase_app') as exists`.execute(db);
  if (!rows[0]?.exists) return;
  await sql`grant select, insert, update, delete on ${sql.join(tables.map((t) => sql.table(t)))} to carebase_app`.execute(
    db,
  );
}

/** Lets the production login role use the tables the migrations granted to `carebase_app`. */
export async function grantAppRoleTo(db: Kysely<unknown>, loginRole: string): Promise<void> {
  await sql`grant carebase_app to ${sql.id(loginRole)}`.execute(db);
}
