import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { verify } from '@node-rs/argon2';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityMigrations, isPrivileged } from '../../src/modules/identity/index.ts';
import { recordsMigrations } from '../../src/modules/records/index.ts';
import { seedSyntheticData, type DemoCredentials } from '../../src/modules/synthetic/index.ts';
import { roles } from '../../src/platform/context/index.ts';
import {
  grantAppRoleTo,
  migrateToLatest,
  openDatabase,
  openPGlite,
  type Database,
} from '../../src/platform/db/index.ts';
import { createTestPostgres, type TestPostgres } from '../support/postgres.ts';

const backends = [
  { name: 'embedded (PGlite)', kind: 'pglite' },
  { name: 'production (PostgreSQL, app role without BYPASSRLS)', kind: 'postgres' },
] as const;

/** The identity tables this test reads back (resources are read with plain SQL). */
interface IdentityTables {
  user_account: {
    username: string;
    password_hash: string;
    totp_secret: string | null;
    practitioner_id: string | null;
    patient_id: string | null;
  };
  delegation: { delegate_user_id: string; patient_id: string; relationship: string };
}

describe.each(backends)('synthetic data seeding on $name', (backend) => {
  /** Migrates and inspects; a superuser, so its reads bypass RLS and show what was really written. */
  let owner: Database<unknown>;
  /** Seeds, as the application does: RLS applies. */
  let app: Database<unknown>;
  let pglite: PGlite | undefined;
  let postgres: TestPostgres | undefined;
  let dataDir: string;
  const ownerDb = () => owner.db as unknown as Kysely<IdentityTables>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'carebase-seed-'));
    if (backend.kind === 'pglite') {
      pglite = await openPGlite('memory://');
      owner = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { pglite });
      app = owner;
      await migrateToLatest(owner.db, { ...recordsMigrations, ...identityMigrations });
    } else {
      postgres = await createTestPostgres('seed');
      owner = await openDatabase({
        kind: 'postgres',
        url: postgres.ownerUrl,
        ownerUrl: undefined,
        poolSize: 2,
      });
      await migrateToLatest(owner.db, { ...recordsMigrations, ...identityMigrations });
      await grantAppRoleTo(owner.db, postgres.appRole);
      app = await openDatabase({ kind: 'postgres', url: postgres.appUrl, ownerUrl: undefined, poolSize: 4 });
    }
  });

  afterAll(async () => {
    if (app && app !== owner) await app.close();
    await owner?.close();
    await pglite?.close();
    await postgres?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const reset = () =>
    sql`truncate delegation, user_account, resource_history, resource, institution cascade`.execute(
      ownerDb(),
    );

  /** Row count and a digest of every column of every row, per table. */
  async function fingerprint() {
    const digest = async (table: 'resource' | 'resource_history') => {
      const { rows } = await sql<{ count: number; digest: string }>`
        select count(*)::int as count, md5(string_agg(
          concat_ws('|', resource_type, id, version_id, patient_id, institution_id, category, array_to_string(security, ','),
                    extract(epoch from last_updated), body::text), E'\\n' order by resource_type, id, version_id)) as digest
        from ${sql.table(table)}`.execute(ownerDb());
      return rows[0];
    };
    return { resource: await digest('resource'), history: await digest('resource_history') };
  }

  async function resourcesPerPatient(): Promise<Record<string, number>> {
    const { rows } = await sql<{ patient_id: string; count: number }>`
      select patient_id, count(*)::int as count from resource where patient_id is not null group by patient_id`.execute(
      ownerDb(),
    );
    return Object.fromEntries(rows.map((r) => [r.patient_id, r.count]));
  }

  it('is deterministic: the same seed gives identical rows whatever the batch size, another seed differs', async () => {
    await reset();
    const first = await seedSyntheticData(app, { seed: 11, patients: 30, institutions: 2, batchSize: 7 });
    expect(first.patients).toEqual({ total: 30, created: 30, skipped: 0 });
    const a = await fingerprint();
    expect(a.resource?.count).toBe(first.resources);
    await reset();
    await seedSyntheticData(app, { seed: 11, patients: 30, institutions: 2, batchSize: 30 });
    expect(await fingerprint()).toEqual(a);
    await reset();
    await seedSyntheticData(app, { seed: 12, patients: 30, institutions: 2 });
    const b = await fingerprint();
    expect(b.resource?.digest).not.toBe(a.resource?.digest);
    expect(b.history?.digest).not.toBe(a.history?.digest);
  });

  it('survives interruption: a re-run completes to exactly the clean result, no duplicate or partial patients', async () => {
    const options = { seed: 21, patients: 25, institutions: 2, batchSize: 5 };
    await reset();
    await seedSyntheticData(app, options);
    const clean = await fingerprint();
    const cleanPerPatient = await resourcesPerPatient();
    expect(Object.keys(cleanPerPatient)).toHaveLength(25);

    await reset();
    const interrupted = seedSyntheticData(app, {
      ...options,
      onProgress: (done) => {
        if (done === 10) throw new Error('killed after the second batch');
      },
    });
    await expect(interrupted).rejects.toThrow('killed after the second batch');
    const partial = await resourcesPerPatient();
    expect(Object.keys(partial)).toHaveLength(10);
    for (const [patient, count] of Object.entries(partial))
      expect(count, patient).toBe(cleanPerPatient[patient]);

    const progress: number[] = [];
    const resumed = await seedSyntheticData(app, { ...options, onProgress: (done) => progress.push(done) });
    expect(resumed.patients).toEqual({ total: 25, created: 15, skipped: 10 });
    expect(progress).toEqual([0, 5, 10, 15, 20, 25]);
    expect(await resourcesPerPatient()).toEqual(cleanPerPatient);
    expect(await fingerprint()).toEqual(clean);
    const again = await seedSyntheticData(app, options);
    expect(again.patients.created).toBe(0);
    expect(again.resources).toBe(0);
    expect(await fingerprint()).toEqual(clean);
  });

  it('loads the demo set: credentials file, every role in two institutions, categories, labels and consents', async () => {
    await reset();
    const result = await seedSyntheticData(app, { demo: true, dataDir });
    const file = path.join(dataDir, 'demo-credentials.json');
    expect(result.credentialsFile).toBe(file);
    expect(JSON.stringify(result)).not.toContain('password');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    const credentials = JSON.parse(text) as DemoCredentials;

    expect(Object.keys(credentials).sort()).toEqual(['patients', 'users']);
    const allowed = [
      'username',
      'name',
      'password',
      'totpSecret',
      'roles',
      'institution',
      'practitionerId',
      'patientId',
    ];
    for (const user of credentials.users) {
      expect(allowed).toEqual(expect.arrayContaining(Object.keys(user)));
      expect(user).toMatchObject({
        username: expect.any(String),
        name: expect.any(String),
        password: expect.any(String),
      });
      expect(user.password.length).toBeGreaterThanOrEqual(20);
      // Privileged roles (SPEC §2: clinicians, admins, privacy officers) need a TOTP; nobody else has one.
      if (isPrivileged(user.roles)) expect(user.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
      else expect(user.totpSecret).toBeUndefined();
    }
    for (const role of roles) {
      const institutions = new Set(
        credentials.users.filter((u) => u.roles.includes(role)).map((u) => u.institution),
      );
      expect(institutions.size, role).toBeGreaterThanOrEqual(2);
    }
    const usernames = new Set(credentials.users.map((u) => u.username));
    expect(credentials.patients.length).toBeGreaterThanOrEqual(8);
    for (const patient of credentials.patients) {
      expect(Object.keys(patient).sort()).toEqual(['careTeam', 'id', 'institution', 'name']);
      expect(patient.careTeam.length).toBeGreaterThan(0);
      for (const username of patient.careTeam) expect(usernames).toContain(username);
    }

    // Accounts: argon2id hashes of the listed passwords, linked to Practitioner or Patient resources.
    const accounts = await ownerDb().selectFrom('user_account').selectAll().execute();
    expect(accounts).toHaveLength(credentials.users.length);
    const physician = credentials.users.find((u) => u.username === 'physician@northwind');
    const account = accounts.find((a) => a.username === 'physician@northwind');
    expect(account?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verify(account?.password_hash ?? '', physician?.password ?? '')).toBe(true);
    expect(account?.totp_secret).toBe(physician?.totpSecret);
    const linked = await sql<{ missing: number }>`
      select count(*)::int as missing from user_account u
      where (u.practitioner_id is not null and not exists (select from resource r where r.resource_type = 'Practitioner' and r.id = u.practitioner_id))
         or (u.patient_id is not null and not exists (select from resource r where r.resource_type = 'Patient' and r.id = u.patient_id))`.execute(
      ownerDb(),
    );
    expect(linked.rows[0]?.missing).toBe(0);
    const delegations = await ownerDb()
      .selectFrom('delegation')
      .selectAll()
      .orderBy('relationship')
      .execute();
    expect(delegations.map((d) => d.relationship)).toEqual(['parent', 'proxy']);

    const categories = await sql<{
      category: string;
    }>`select distinct category from resource order by 1`.execute(ownerDb());
    expect(categories.rows.map((r) => r.category)).toEqual([
      'administrative',
      'demographics',
      'imaging',
      'labs',
      'medications',
      'notes',
      'summary',
    ]);
    const labels = await sql<{
      label: string;
    }>`select distinct unnest(security) as label from resource`.execute(ownerDb());
    expect(labels.rows.map((r) => r.label)).toEqual(expect.arrayContaining(['N', 'R', 'PSY', 'HIV', 'SUD']));
    const psychNotes = await sql<{ security: string[] }>`
      select security from resource where resource_type = 'DocumentReference' and body->'type'->'coding'->0->>'code' = '28627-8'`.execute(
      ownerDb(),
    );
    expect(psychNotes.rows.length).toBeGreaterThan(0);
    for (const row of psychNotes.rows) expect(row.security).toEqual(['R', 'PSY']);
    const consents = await sql<{ type: string; status: string }>`
      select distinct body->'provision'->>'type' as type, body->>'status' as status from resource where resource_type = 'Consent'`.execute(
      ownerDb(),
    );
    expect(consents.rows).toEqual(
      expect.arrayContaining([
        { type: 'permit', status: 'active' },
        { type: 'deny', status: 'active' },
        { type: 'permit', status: 'inactive' },
      ]),
    );
    const research = await sql<{ count: number }>`
      select count(*)::int as count from resource where resource_type = 'Consent' and body->'provision'->'purpose'->0->>'code' = 'HRESCH'`.execute(
      ownerDb(),
    );
    expect(research.rows[0]?.count).toBeGreaterThan(0);
    const ended = await sql<{ count: number }>`
      select count(*)::int as count from resource
      where resource_type = 'CareTeam' and body->>'status' = 'inactive' and (body->'period'->>'end')::date < now()`.execute(
      ownerDb(),
    );
    expect(ended.rows[0]?.count).toBeGreaterThan(0);

    // Re-running the demo changes nothing and rewrites the same file.
    const again = await seedSyntheticData(app, { demo: true, dataDir });
    expect(again.users.created).toBe(0);
    expect(again.patients.created).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('fails closed: the app role without caller settings sees zero resource rows', async () => {
    await reset();
    await seedSyntheticData(app, { seed: 31, patients: 3 });
    const total = await sql<{ count: number }>`select count(*)::int as count from resource`.execute(
      ownerDb(),
    );
    expect(total.rows[0]?.count).toBeGreaterThan(0);
    const visible = await app.db.transaction().execute(async (trx) => {
      if (app.kind === 'pglite') await sql`set local role carebase_app`.execute(trx);
      return sql<{ count: number }>`select count(*)::int as count from resource`.execute(trx);
    });
    expect(visible.rows[0]?.count).toBe(0);
  });
});
