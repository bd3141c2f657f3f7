import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, openRuntime } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { systemContext, userContext } from '../../src/platform/context/index.ts';
import { inCallerTransaction } from '../../src/platform/db/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { postgresAdminUrl } from '../support/postgres.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';

/** The two records tables this test writes to directly, below the records service. */
interface RawTables {
  institution: { id: string; name: string };
  resource: ReturnType<typeof resourceRow>;
}
type RawDb = Kysely<RawTables>;

const resourceRow = (id: string, institution: string, patient: string) => ({
  resource_type: 'Observation',
  id,
  version_id: 1,
  patient_id: patient,
  institution_id: institution,
  category: 'labs',
  security: [],
  last_updated: new Date(),
  body: JSON.stringify({ resourceType: 'Observation', id }),
});

describe.each(backends)('platform on $name', (backend) => {
  let t: TestRuntime;
  let db: RawDb;

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'platform');
    db = t.runtime.records.db as unknown as RawDb;
    await inCallerTransaction(t.runtime.records, systemContext('test fixture'), async (trx) => {
      const tx = trx as unknown as RawDb;
      await tx
        .insertInto('institution')
        .values([
          { id: 'north', name: 'North' },
          { id: 'south', name: 'South' },
        ])
        .execute();
      await tx
        .insertInto('resource')
        .values([
          resourceRow('o1', 'north', 'p1'),
          resourceRow('o2', 'north', 'p2'),
          resourceRow('o3', 'south', 'p3'),
        ])
        .execute();
    });
  });
  afterAll(() => t?.cleanup());

  it('answers /healthz, /readyz (every backend) and /metrics', async () => {
    const app = await buildApp(t.runtime);
    try {
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      const ready = await app.inject({ url: '/readyz' });
      expect(ready.json()).toMatchObject({
        status: 'ready',
        checks: {
          database: { status: 'ok' },
          ledger: { status: 'ok' },
          cache: { status: 'ok' },
          bus: { status: 'ok' },
          storage: { status: 'ok' },
        },
      });
      const metrics = (await app.inject({ url: '/metrics' })).body;
      expect(metrics).toContain(
        'carebase_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/readyz"',
      );
      expect(metrics).toContain('carebase_db_pool_connections{database="records",state="total"}');
      expect(metrics).toContain('carebase_job_queue_depth');
    } finally {
      await app.close();
    }
  });

  it('RLS fails closed: a transaction without caller settings sees zero clinical rows', async () => {
    const rows = await db.transaction().execute(async (trx) => {
      if (t.runtime.records.kind === 'pglite') await sql`set local role carebase_app`.execute(trx);
      return trx.selectFrom('resource').selectAll().execute();
    });
    expect(rows).toHaveLength(0);
  });

  it('RLS limits a caller to its institution and its own compartment', async () => {
    const ctx = (fields: Parameters<typeof userContext>[0]) => userContext(fields);
    const visible = (c: ReturnType<typeof userContext>) =>
      inCallerTransaction(t.runtime.records, c, async (trx) =>
        (await (trx as unknown as RawDb).selectFrom('resource').select('id').orderBy('id').execute()).map(
          (r) => r.id,
        ),
      );
    expect(
      await visible(ctx({ requestId: 'r1', subject: 'u1', roles: ['physician'], institution: 'north' })),
    ).toEqual(['o1', 'o2']);
    expect(
      await visible(ctx({ requestId: 'r2', subject: 'u2', roles: ['physician'], institution: 'south' })),
    ).toEqual(['o3']);
    expect(
      await visible(
        ctx({
          requestId: 'r3',
          subject: 'u3',
          roles: ['patient'],
          institution: 'elsewhere',
          patientId: 'p2',
        }),
      ),
    ).toEqual(['o2']);
    // Writing a row for another institution is refused by the policy's WITH CHECK.
    await expect(
      inCallerTransaction(
        t.runtime.records,
        ctx({ requestId: 'r4', subject: 'u2', roles: ['physician'], institution: 'south' }),
        (trx) =>
          (trx as unknown as RawDb)
            .insertInto('resource')
            .values(resourceRow('o4', 'north', 'p1'))
            .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('caller settings never outlive their transaction on a pooled connection', async () => {
    await inCallerTransaction(t.runtime.records, systemContext('leak check'), async () => {});
    const { rows } = await sql<{ kind: string | null; role: string }>`
      select current_setting('carebase.kind', true) as kind, current_user as role`.execute(db);
    expect(rows[0]?.kind ?? '').toBe('');
    expect(rows[0]?.role).not.toBe('carebase_app');
  });
});

describe('production mode start-up checks (PostgreSQL)', () => {
  it('refuses to start as a superuser', async () => {
    const config = loadConfig({ DATABASE_URL: postgresAdminUrl, LOG_LEVEL: 'silent' });
    await expect(openRuntime(config, createLogger(config))).rejects.toThrow(/superuser or has BYPASSRLS/);
  });

  it('refuses to start as a role with BYPASSRLS', async () => {
    const role = `carebase_bypass_${Date.now()}`;
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    await admin.query(`create role ${role} login nosuperuser bypassrls`);
    try {
      const url = new URL(postgresAdminUrl);
      url.username = role;
      const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'silent' });
      await expect(openRuntime(config, createLogger(config))).rejects.toThrow(/BYPASSRLS/);
    } finally {
      await admin.query(`drop role ${role}`);
      await admin.end();
    }
  });
});
