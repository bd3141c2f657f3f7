import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/modules/audit/merkle/index.ts';
import { verifyCheckpoint } from '../../src/modules/audit/checkpoint/index.ts';
import { createAuditLedger, verifyLedger, type AuditEntry } from '../../src/modules/audit/index.ts';
import { openDatabase, openPGlite, type Database } from '../../src/platform/db/index.ts';
import { isAppError } from '../../src/platform/errors/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { clinician, manualCheckpoints, readEvent } from './audit-fixtures.ts';

describe.each(backends)('audit ledger — $name', (backend) => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await openTestRuntime(backend, 'auditledger', manualCheckpoints);
  });
  afterAll(async () => t?.cleanup());

  it('assigns contiguous indexes to concurrent appends, in few group commits, each durable on resolve', async () => {
    const ledger = t.runtime.auditLog;
    const batches: number[] = [];
    const stop = ledger.onCommit((b) => batches.push(b.rows.length));
    const before = await ledger.size();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => ledger.append(clinician(), readEvent(`pat-${i % 7}`))),
    );
    stop();
    const indexes = results.map((r) => r.index).sort((a, b) => a - b);
    expect(indexes).toEqual(Array.from({ length: 300 }, (_, i) => before + i));
    expect(batches.reduce((a, b) => a + b, 0)).toBe(300);
    expect(batches.length).toBeLessThan(30);
    // Resolved means committed: a fresh read sees every entry.
    expect(await ledger.size()).toBe(before + 300);
  });

  it('keeps one gap-free log when several processes append at once', async () => {
    // A second ledger over the same database stands for another API process: its own tree cache and pool.
    const { createLogger } = await import('../../src/platform/logging/index.ts');
    const other =
      backend.kind === 'production'
        ? await openDatabase({ kind: 'postgres', url: t.audit!.appUrl, ownerUrl: undefined, poolSize: 4 })
        : t.runtime.audit;
    const second = createAuditLedger({ database: other, logger: createLogger(t.config) });
    try {
      const before = await t.runtime.auditLog.size();
      const results = await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          (i % 2 === 0 ? t.runtime.auditLog : second).append(clinician(), readEvent(`multi-${i}`)),
        ),
      );
      const indexes = results.map((r) => r.index).sort((a, b) => a - b);
      expect(indexes).toEqual(Array.from({ length: 400 }, (_, i) => before + i));
      // Both caches stay consistent with the stored tree: one more append each, then the whole log verifies.
      await t.runtime.auditLog.append(clinician(), readEvent('after-1'));
      await second.append(clinician(), readEvent('after-2'));
      const ledger = t.runtime.auditLog;
      await ledger.checkpoints.checkpointNow();
      const report = await verifyLedger({
        db: ledger.db,
        storage: ledger.storage,
        verifier: ledger.verifier,
      });
      expect(report.failures).toEqual([]);
    } finally {
      await second.close();
      if (other !== t.runtime.audit) await other.close();
    }
  });

  it('stores who, what, when, where, why and outcome as canonical JSON with matching index columns', async () => {
    const ctx = clinician({
      purpose: 'ETREAT',
      breakGlass: {
        grantId: 'bg-1',
        patientId: 'pat-bg',
        expiresAt: new Date('2030-01-01'),
        justification: 'Unconscious patient in the ED, no chart access',
      },
    });
    const { index } = await t.runtime.auditLog.append(
      ctx,
      readEvent('pat-bg', { sensitivity: ['R'], reason: 'break_glass', detail: { count: 1 } }),
    );
    const { rows } = await sql<{ entry: string; patient_id: string; break_glass: boolean; purpose: string }>`
      select entry, patient_id, break_glass, purpose from audit_entry where seq = ${index}`.execute(
      t.runtime.audit.db,
    );
    const entry = JSON.parse(rows[0]!.entry) as AuditEntry;
    expect(entry).toMatchObject({
      index,
      action: 'read',
      patient: 'pat-bg',
      resourceType: 'Observation',
      category: 'labs',
      sensitivity: ['R'],
      purpose: 'ETREAT',
      outcome: 'permit',
      policyIds: ['care-team-read'],
      actor: {
        subject: 'user-dr-house',
        roles: ['physician'],
        institution: 'inst-a',
        client: 'carebase-web',
      },
      where: { ip: '127.0.0.1', userAgent: 'vitest' },
      breakGlass: { grantId: 'bg-1', justification: 'Unconscious patient in the ED, no chart access' },
    });
    expect(Object.keys(JSON.parse(rows[0]!.entry) as object)).toEqual(Object.keys(entry).sort());
    expect(rows[0]).toMatchObject({ patient_id: 'pat-bg', break_glass: true, purpose: 'ETREAT' });
    // A grant for another patient does not flag this access.
    const other = await t.runtime.auditLog.append(ctx, readEvent('pat-other'));
    const flagged = await sql<{
      break_glass: boolean;
    }>`select break_glass from audit_entry where seq = ${other.index}`.execute(t.runtime.audit.db);
    expect(flagged.rows[0]!.break_glass).toBe(false);
  });

  it('refuses UPDATE, DELETE and TRUNCATE to the application role', async () => {
    const db = t.runtime.audit.db as Kysely<unknown>;
    const asApp = async (statement: ReturnType<typeof sql>) => {
      if (backend.kind === 'production') return statement.execute(db);
      // PGlite's session is a superuser; appends run as carebase_app, so test that role.
      return db.transaction().execute(async (trx) => {
        await sql`set local role carebase_app`.execute(trx);
        await statement.execute(trx);
      });
    };
    for (const statement of [
      sql`update audit_entry set outcome = 'deny' where seq = 0`,
      sql`delete from audit_entry where seq = 0`,
      sql`truncate audit_entry`,
      sql`update audit_node set hash = '\\x00'`,
    ]) {
      await expect(asApp(statement)).rejects.toThrow(/permission denied|append-only/);
    }
    // INSERT and SELECT are granted (rolled back here so the log keeps no stray row).
    const rolledBack = new Error('rollback');
    const insert = db.transaction().execute(async (trx) => {
      if (backend.kind === 'embedded') await sql`set local role carebase_app`.execute(trx);
      await sql`insert into audit_entry (seq, at, entry, leaf_hash, action, outcome, break_glass, request_id)
        values (999999, now(), '{}', '\\x00', 'read', 'permit', false, 'x')`.execute(trx);
      await sql`select count(*) from audit_entry`.execute(trx);
      throw rolledBack;
    });
    await expect(insert).rejects.toBe(rolledBack);
  });

  it('refuses UPDATE and DELETE even to the owner unless the triggers are dropped', async () => {
    if (backend.kind === 'production') {
      const { ledgerOwner } = await import('./audit-fixtures.ts');
      const owner = await ledgerOwner(t);
      try {
        await expect(sql`delete from audit_entry where seq = 0`.execute(owner.db)).rejects.toThrow(
          /append-only/,
        );
      } finally {
        await owner.close();
      }
    } else {
      await expect(sql`delete from audit_entry where seq = 0`.execute(t.runtime.audit.db)).rejects.toThrow(
        /append-only/,
      );
    }
  });
});

describe.each(backends)('audit ledger fails closed — $name', (backend) => {
  it('rejects every append of a batch that cannot commit', async () => {
    // A database without the ledger tables: every insert fails, so every append must reject.
    let database: Database;
    let cleanup: () => Promise<void>;
    if (backend.kind === 'embedded') {
      const pglite = await openPGlite('memory://');
      database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { pglite });
      cleanup = () => pglite.close();
    } else {
      const { createTestPostgres } = await import('../support/postgres.ts');
      const pg = await createTestPostgres('auditfail');
      database = await openDatabase({ kind: 'postgres', url: pg.ownerUrl, ownerUrl: undefined, poolSize: 2 });
      cleanup = async () => {
        await database.close();
        await pg.drop();
      };
    }
    const { createLogger } = await import('../../src/platform/logging/index.ts');
    const ledger = createAuditLedger({
      database,
      logger: createLogger({ log: { level: 'silent', pretty: false } } as never),
    });
    try {
      const results = await Promise.allSettled([
        ledger.append(clinician(), readEvent('p1')),
        ledger.append(clinician(), readEvent('p2')),
      ]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const reason = (result as PromiseRejectedResult).reason as unknown;
        expect(isAppError(reason) && reason.code === 'unavailable').toBe(true);
      }
    } finally {
      await cleanup();
    }
  });
});

describe.each(backends)('audit checkpoints and proofs — $name', (backend) => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await openTestRuntime(backend, 'auditproof', manualCheckpoints);
  });
  afterAll(async () => t?.cleanup());

  it('signs checkpoints into object storage; inclusion and consistency proofs verify against them', async () => {
    const ledger = t.runtime.auditLog;
    await Promise.all(Array.from({ length: 600 }, (_, i) => ledger.append(clinician(), readEvent(`p-${i}`))));
    const first = await ledger.checkpoints.checkpointNow();
    const note1 = (await ledger.checkpoints.latestNote())!;
    const cp1 = verifyCheckpoint(note1, ledger.verifier);
    expect(cp1.size).toBe(first);
    await Promise.all(Array.from({ length: 77 }, (_, i) => ledger.append(clinician(), readEvent(`q-${i}`))));
    const second = await ledger.checkpoints.checkpointNow();
    const cp2 = verifyCheckpoint((await ledger.checkpoints.latestNote())!, ledger.verifier);
    expect(cp2.size).toBe(second);
    expect(second).toBe(first + 77);

    const { rows } = await sql<{ entry: string }>`select entry from audit_entry where seq = 300`.execute(
      t.runtime.audit.db,
    );
    const leaf = leafHash(new TextEncoder().encode(rows[0]!.entry));
    const proof = await inclusionProof(300, cp2.size, ledger.nodeReader);
    expect(verifyInclusion(leaf, 300, cp2.size, proof, cp2.rootHash)).toBe(true);
    const consistency = await consistencyProof(cp1.size, cp2.size, ledger.nodeReader);
    expect(verifyConsistency(cp1.size, cp2.size, consistency, cp1.rootHash, cp2.rootHash)).toBe(true);

    const report = await verifyLedger({ db: ledger.db, storage: ledger.storage, verifier: ledger.verifier });
    expect(report.failures).toEqual([]);
    expect(report).toMatchObject({ ok: true, entries: second, checkpoints: 2 });
  });
});
