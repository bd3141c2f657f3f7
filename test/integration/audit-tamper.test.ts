import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompactMerkleTree, leafHash } from '../../src/modules/audit/merkle/index.ts';
import { verifyLedger, type VerifyReport } from '../../src/modules/audit/index.ts';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { clinician, ledgerOwner, manualCheckpoints, readEvent, tamper } from './audit-fixtures.ts';

type Row = Record<string, unknown> & { seq: number };

/** Rows as JSON (bytea as `\x…` text), reinserted through json_populate_recordset: exact copies. */
async function snapshot(db: Kysely<unknown>, from: number, to: number): Promise<Row[]> {
  const { rows } = await sql<{ rows: Row[] | null }>`
    select json_agg(e order by seq) as rows from audit_entry e where seq >= ${from} and seq < ${to}`.execute(
    db,
  );
  return rows[0]?.rows ?? [];
}
async function restore(db: Kysely<unknown>, rows: Row[]): Promise<void> {
  await sql`insert into audit_entry select * from json_populate_recordset(null::audit_entry, ${JSON.stringify(rows)}::json)`.execute(
    db,
  );
}
async function nodesSnapshot(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ rows: unknown }>`select json_agg(n) as rows from audit_node n`.execute(db);
  return JSON.stringify(rows[0]?.rows ?? []);
}
async function restoreNodes(db: Kysely<unknown>, json: string): Promise<void> {
  await sql`delete from audit_node`.execute(db);
  await sql`insert into audit_node select * from json_populate_recordset(null::audit_node, ${json}::json)`.execute(
    db,
  );
}
/** What an intruder who understands the format does after editing: recompute every stored node. */
async function recomputeTree(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ entry: string }>`select entry from audit_entry order by seq`.execute(db);
  const nodes: { level: number; idx: number; hash: string }[] = [];
  const tree = new CompactMerkleTree({
    onNode: (level, idx, hash) => {
      if (level >= 8) nodes.push({ level, idx, hash: `\\x${Buffer.from(hash).toString('hex')}` });
    },
  });
  for (const row of rows) tree.appendEntry(new TextEncoder().encode(row.entry));
  await sql`delete from audit_node`.execute(db);
  await sql`insert into audit_node select * from json_populate_recordset(null::audit_node, ${JSON.stringify(nodes)}::json)`.execute(
    db,
  );
}

describe.each(backends)('audit verify catches tampering — $name', (backend) => {
  let t: TestRuntime;
  let owner: Awaited<ReturnType<typeof ledgerOwner>>;
  const verify = async (): Promise<VerifyReport> => {
    const { auditLog } = t.runtime;
    const ledger = { db: auditLog.db, storage: auditLog.storage, verifier: auditLog.verifier };
    const report = await verifyLedger({ ...ledger, threads: 0 });
    // Worker threads over small pages (read ahead from guessed starts, re-read after a gap) find the same.
    const threaded = await verifyLedger({ ...ledger, threads: 2, pageSize: 64 });
    expect({ ...threaded, durationMs: 0 }).toEqual({ ...report, durationMs: 0 });
    return report;
  };
  const messages = (report: VerifyReport) => report.failures.map((f) => f.message).join('\n');

  beforeAll(async () => {
    t = await openTestRuntime(backend, 'audittamper', manualCheckpoints);
    owner = await ledgerOwner(t);
    const { auditLog } = t.runtime;
    const appendMany = (n: number, tag: string) =>
      Promise.all(
        Array.from({ length: n }, (_, i) => auditLog.append(clinician(), readEvent(`${tag}-${i % 13}`))),
      );
    await appendMany(600, 'a');
    await auditLog.checkpoints.checkpointNow();
    await appendMany(100, 'b');
    await auditLog.checkpoints.checkpointNow();
    await appendMany(20, 'c');
  });
  afterAll(async () => {
    await owner?.close();
    await t?.cleanup();
  });

  it('passes on an untouched ledger', async () => {
    const report = await verify();
    expect(messages(report)).toBe('');
    expect(report).toMatchObject({ ok: true, entries: 720, checkpoints: 2 });
  });

  it('names an entry whose bytes were edited', async () => {
    const [original] = await snapshot(owner.db, 100, 101);
    await tamper(owner.db, (db) =>
      sql`update audit_entry set entry = replace(entry, '"outcome":"permit"', '"outcome":"deny"') where seq = 100`.execute(
        db,
      ),
    );
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.failures.filter((f) => f.kind === 'entry').map((f) => f.index)).toContain(100);
    expect(messages(report)).toMatch(/entry 100: its bytes do not match/);
    await tamper(owner.db, async (db) => {
      await sql`delete from audit_entry where seq = 100`.execute(db);
      await restore(db, [original!]);
    });
    expect((await verify()).ok).toBe(true);
  });

  it('names the entry and the checkpoint when an edit is followed by recomputing the tree', async () => {
    const [original] = await snapshot(owner.db, 100, 101);
    const nodes = await nodesSnapshot(owner.db);
    await tamper(owner.db, async (db) => {
      await sql`update audit_entry set entry = replace(entry, '"outcome":"permit"', '"outcome":"deny"'), outcome = 'deny' where seq = 100`.execute(
        db,
      );
      const { rows } = await sql<{ entry: string }>`select entry from audit_entry where seq = 100`.execute(
        db,
      );
      const hash = Buffer.from(leafHash(new TextEncoder().encode(rows[0]!.entry))).toString('hex');
      await sql`update audit_entry set leaf_hash = decode(${hash}, 'hex') where seq = 100`.execute(db);
      await recomputeTree(db);
    });
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(messages(report)).not.toMatch(/stored leaf hash/); // internally consistent…
    expect(messages(report)).toMatch(/entry 100: differs from the leaf hash published/); // …but not with the outside
    expect(report.failures.filter((f) => f.kind === 'checkpoint').map((f) => f.checkpoint)).toEqual([
      600, 700,
    ]);
    await tamper(owner.db, async (db) => {
      await sql`delete from audit_entry where seq = 100`.execute(db);
      await restore(db, [original!]);
      await restoreNodes(db, nodes);
    });
    expect((await verify()).ok).toBe(true);
  });

  it('names a deleted middle entry', async () => {
    const rows = await snapshot(owner.db, 300, 301);
    await tamper(owner.db, (db) => sql`delete from audit_entry where seq = 300`.execute(db));
    const report = await verify();
    expect(report.failures[0]).toMatchObject({ kind: 'entry', index: 300 });
    expect(messages(report)).toMatch(/entries 300\.\.300 are missing/);
    await tamper(owner.db, (db) => restore(db, rows));
    expect((await verify()).ok).toBe(true);
  });

  it('names two swapped entries', async () => {
    const rows = await snapshot(owner.db, 200, 202);
    await tamper(owner.db, async (db) => {
      await sql`delete from audit_entry where seq in (200, 201)`.execute(db);
      await restore(db, [
        { ...rows[1]!, seq: 200 },
        { ...rows[0]!, seq: 201 },
      ]);
    });
    const report = await verify();
    expect(messages(report)).toMatch(/entry stored at 200 is entry 201 \(moved or swapped\)/);
    expect(messages(report)).toMatch(/entry stored at 201 is entry 200/);
    await tamper(owner.db, async (db) => {
      await sql`delete from audit_entry where seq in (200, 201)`.execute(db);
      await restore(db, rows);
    });
    expect((await verify()).ok).toBe(true);
  });

  it('names the first missing entry when the tail is truncated', async () => {
    const rows = await snapshot(owner.db, 650, 720);
    await tamper(owner.db, (db) => sql`delete from audit_entry where seq >= 650`.execute(db));
    const report = await verify();
    expect(report.failures).toContainEqual(
      expect.objectContaining({ kind: 'checkpoint', checkpoint: 700, index: 650 }),
    );
    expect(messages(report)).toMatch(/entries 650\.\.699 were truncated or an older copy was restored/);
    await tamper(owner.db, (db) => restore(db, rows));
    expect((await verify()).ok).toBe(true);
  });

  it('names a partially written last record', async () => {
    const [original] = await snapshot(owner.db, 719, 720);
    await tamper(owner.db, (db) =>
      sql`update audit_entry set entry = left(entry, length(entry) / 2) where seq = 719`.execute(db),
    );
    const report = await verify();
    expect(messages(report)).toMatch(/entry 719: not a complete entry/);
    await tamper(owner.db, async (db) => {
      await sql`delete from audit_entry where seq = 719`.execute(db);
      await restore(db, [original!]);
    });
    expect((await verify()).ok).toBe(true);
  });

  it('names tampered index columns that would hide an access from a patient', async () => {
    await tamper(owner.db, (db) =>
      sql`update audit_entry set patient_id = 'someone-else' where seq = 5`.execute(db),
    );
    const report = await verify();
    expect(messages(report)).toMatch(/entry 5: indexed columns patient_id do not match/);
    await tamper(owner.db, (db) =>
      sql`update audit_entry set patient_id = (entry::json ->> 'patient') where seq = 5`.execute(db),
    );
    expect((await verify()).ok).toBe(true);
  });

  it('catches a forged checkpoint', async () => {
    const { auditLog } = t.runtime;
    const key = 'audit/checkpoints/0000000000000600';
    const original = await auditLog.storage.get(key);
    const chunks: Buffer[] = [];
    for await (const c of original.body) chunks.push(Buffer.from(c as Uint8Array));
    const note = Buffer.concat(chunks).toString('utf8');
    await auditLog.storage.put(key, Buffer.from(note.replace('\n600\n', '\n599\n')));
    expect(messages(await verify())).toMatch(/checkpoint at size 600 does not verify \(invalid_signature\)/);
    await auditLog.storage.put(key, Buffer.from(note));
    expect((await verify()).ok).toBe(true);
  });

  // Last: it forks the history for good.
  it('catches a restored older copy of the ledger, even after new entries were appended on top', async () => {
    await tamper(owner.db, async (db) => {
      await sql`delete from audit_entry where seq >= 650`.execute(db);
      await sql`delete from audit_node where (idx + 1) * (1::bigint << level) > 650`.execute(db);
    });
    const rolledBack = await verify();
    expect(messages(rolledBack)).toMatch(/checkpoint at size 700 is beyond the ledger's 650 entries/);
    const { auditLog } = t.runtime;
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => auditLog.append(clinician(), readEvent(`fork-${i}`))),
    );
    const forked = await verify();
    expect(forked.entries).toBe(750);
    expect(messages(forked)).toMatch(/entry 650: differs from the leaf hash published/);
    expect(forked.failures).toContainEqual(expect.objectContaining({ kind: 'checkpoint', checkpoint: 700 }));
  });
});
