import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, openTestRuntime, type TestRuntime } from '../support/runtime.ts';
import { clinician, ledgerOwner, manualCheckpoints, readEvent } from './audit-fixtures.ts';

describe.each(backends)('audit replication to the bus — $name', (backend) => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await openTestRuntime(backend, 'auditrepl', manualCheckpoints);
    // The worker's share of a process runs the archive consumer; API processes do not.
    await t.runtime.auditLog.replication!.startConsumer();
  });
  afterAll(async () => t?.cleanup());

  const counts = async () => {
    const { rows } = await sql<{ total: number; distinct: number; same: number }>`
      select count(*)::int as total, count(distinct r.seq)::int as distinct,
             count(*) filter (where e.entry = r.entry and e.leaf_hash = r.leaf_hash)::int as same
      from audit_replica r left join audit_entry e using (seq)`.execute(t.runtime.audit.db);
    return rows[0]!;
  };
  const appendMany = (n: number, tag: string) =>
    Promise.all(
      Array.from({ length: n }, (_, i) => t.runtime.auditLog.append(clinician(), readEvent(`${tag}-${i}`))),
    );

  it('copies every entry to the archive consumer, exactly once', async () => {
    const replication = t.runtime.auditLog.replication!;
    await appendMany(200, 'a');
    await replication.pump();
    const size = await t.runtime.auditLog.size();
    await expect.poll(async () => (await counts()).total, { timeout: 20_000 }).toBe(size);
    expect(await counts()).toEqual({ total: size, distinct: size, same: size });
    await expect.poll(() => replication.lag(), { timeout: 20_000 }).toBe(0);
  });

  it('loses and duplicates nothing across a consumer restart; lag shows the backlog meanwhile', async () => {
    const replication = t.runtime.auditLog.replication!;
    await replication.stopConsumer();
    await appendMany(150, 'b');
    await replication.pump();
    expect(await replication.lag()).toBeGreaterThanOrEqual(150);
    await replication.startConsumer();
    const size = await t.runtime.auditLog.size();
    await expect.poll(async () => (await counts()).total, { timeout: 20_000 }).toBe(size);
    expect(await counts()).toEqual({ total: size, distinct: size, same: size });
  });

  it('re-publishing after a crash between publish and cursor update stores no duplicate', async () => {
    const replication = t.runtime.auditLog.replication!;
    const owner = await ledgerOwner(t);
    try {
      // As if the process died after publishing the last 50 entries but before recording that it had.
      await sql`update audit_replication_cursor set next_seq = next_seq - 50`.execute(owner.db);
    } finally {
      await owner.close();
    }
    expect(await replication.pump()).toBe(50);
    const size = await t.runtime.auditLog.size();
    await expect.poll(() => replication.lag(), { timeout: 20_000 }).toBe(0);
    expect(await counts()).toEqual({ total: size, distinct: size, same: size });
  });
});
