/**
 * Audit ledger write and verify costs (SPEC §7: ≥ 20,000 durable appends/s; verify 1 M entries < 5 s),
 * each beside a baseline measured in the same run:
 * - durable appends/s with group commit (many requests in flight, one transaction per batch) vs one
 *   commit (fsync) per entry, on PGlite and, when reachable, PostgreSQL (synchronous_commit on);
 * - the latency one request adds by appending (sequential appends, p50/p99), i.e. the added latency of an
 *   audited record read at light load;
 * - `verify` over the stored ledger (read + leaf hash + parse + tree + checkpoint), per entry and
 *   extrapolated to 1 M; bench/audit-verify.ts measures it over a real 1 M-entry ledger, and
 *   bench/merkle-verify.ts the pure tree recomputation over 1 M.
 *
 *   node --import tsx bench/audit-append.ts [--entries 50000] [--baseline-entries 2000] [--in-flight 2000]
 *        [--postgres postgres://postgres@127.0.0.1:5432/postgres | --postgres none]
 *
 * It reports; it does not assert timings.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import pg from 'pg';
import {
  auditMigrations,
  createAuditLedger,
  verifyLedger,
  type AuditLedger,
} from '../src/modules/audit/index.ts';
import { generateNoteKeys, parseSignerKey, parseVerifierKey } from '../src/modules/audit/checkpoint/index.ts';
import { createCheckpointer } from '../src/modules/audit/publish/checkpointer.ts';
import { userContext } from '../src/platform/context/index.ts';
import { migrateToLatest, openDatabase, type Database } from '../src/platform/db/index.ts';
import { createLogger } from '../src/platform/logging/index.ts';
import { createObjectStorage } from '../src/platform/storage/index.ts';
import { loadConfig } from '../src/config/index.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '50000' },
    'baseline-entries': { type: 'string', default: '2000' },
    'in-flight': { type: 'string', default: '2000' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const entries = Number(values.entries);
const baselineEntries = Number(values['baseline-entries']);
const inFlight = Number(values['in-flight']);
const logger = createLogger(loadConfig({ LOG_LEVEL: 'silent' }));

const ctx = userContext({
  requestId: 'bench-request-0001',
  subject: 'user-bench-physician',
  roles: ['physician'],
  institution: 'inst-bench',
  practitionerId: 'prac-bench',
  purpose: 'TREAT',
  clientId: 'carebase-web',
  ip: '10.1.2.3',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
});
const event = (i: number) => ({
  action: 'read' as const,
  outcome: 'permit' as const,
  patientId: `pat-${i % 5000}`,
  resourceType: 'Observation',
  resourceIds: [`obs-${i}-a`, `obs-${i}-b`],
  category: 'labs',
  policyIds: ['care-team-read', 'consent-permit'],
});

/**
 * Keeps `inFlight` appends outstanding until `count` have resolved; returns appends per second and this
 * process's CPU per append (all threads; PGlite's database work included, PostgreSQL's server not).
 */
async function drive(
  ledger: AuditLedger,
  count: number,
  concurrency: number,
): Promise<{ perSecond: number; cpuUs: number }> {
  let next = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const worker = async () => {
    while (next < count) await ledger.append(ctx, event(next++));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const used = process.cpuUsage(cpu);
  return {
    perSecond: count / ((performance.now() - start) / 1000),
    cpuUs: (used.user + used.system) / count,
  };
}

async function sequentialLatency(ledger: AuditLedger, count: number) {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await ledger.append(ctx, event(i));
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(count / 2)]!, p99: samples[Math.floor(count * 0.99)]! };
}

interface Target {
  name: string;
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}

async function pgliteTarget(): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'carebase-bench-audit-'));
  let n = 0;
  return {
    name: 'PGlite (embedded)',
    open: () => openDatabase({ kind: 'pglite', dataDir: path.join(dir, `db${n++}`) }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(adminUrl: string): Promise<Target | undefined> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const created: string[] = [];
  return {
    name: 'PostgreSQL (production)',
    async open() {
      const name = `carebase_bench_audit_${randomBytes(4).toString('hex')}`;
      await admin.query(`create database ${name}`);
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return openDatabase({ kind: 'postgres', url: url.toString(), ownerUrl: undefined, poolSize: 4 });
    },
    async cleanup() {
      for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const rows: Record<string, string>[] = [];
const targets = [
  await pgliteTarget(),
  ...(values.postgres === 'none' ? [] : [await postgresTarget(values.postgres)]),
].filter((t): t is Target => t !== undefined);
for (const target of targets) {
  // Baseline: one transaction (one WAL flush) per entry.
  const baseDb = await target.open();
  await migrateToLatest(baseDb.db as Kysely<unknown>, auditMigrations);
  const perEntry = createAuditLedger({ database: baseDb, logger, maxBatch: 1, maxDelayMs: 0 });
  await drive(perEntry, 200, 1); // warm-up
  const { perSecond: baseline } = await drive(perEntry, baselineEntries, inFlight);
  await perEntry.close();
  await baseDb.close();

  const db = await target.open();
  await migrateToLatest(db.db as Kysely<unknown>, auditMigrations);
  const grouped = createAuditLedger({ database: db, logger });
  await drive(grouped, 2_000, inFlight); // warm-up
  const { perSecond: throughput, cpuUs } = await drive(grouped, entries, inFlight);
  const latency = await sequentialLatency(grouped, 500);

  const objects = await mkdtemp(path.join(os.tmpdir(), 'carebase-bench-objects-'));
  const storage = await createObjectStorage({ kind: 'local', root: objects });
  const keys = generateNoteKeys('bench.carebase/audit');
  const checkpointer = createCheckpointer({
    ledger: grouped,
    db: db.db as Kysely<unknown>,
    storage,
    signer: parseSignerKey(keys.signerKey),
    logger,
    intervalMs: 0,
  });
  await checkpointer.checkpointNow();
  const report = await verifyLedger({
    db: db.db as Kysely<unknown>,
    storage,
    verifier: parseVerifierKey(keys.verifierKey),
    threads: 0, // a small ledger: worker start-up would dominate
  });
  await checkpointer.close();
  await grouped.close();
  await storage.close();
  await rm(objects, { recursive: true, force: true });
  await db.close();
  await target.cleanup();

  const usPerEntry = (report.durationMs * 1000) / report.entries;
  rows.push(
    {
      backend: target.name,
      measure: 'baseline: one commit per entry (appends/s)',
      value: Math.round(baseline).toLocaleString('en-US'),
    },
    {
      backend: target.name,
      measure: `group commit, ${inFlight} in flight (appends/s)`,
      value: `${Math.round(throughput).toLocaleString('en-US')} (${(throughput / baseline).toFixed(1)}× baseline), ${cpuUs.toFixed(1)} µs CPU / append`,
    },
    {
      backend: target.name,
      measure: 'added latency per request, sequential append',
      value: `p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms`,
    },
    {
      backend: target.name,
      measure: `verify ${report.entries.toLocaleString('en-US')} stored entries (${report.ok ? 'ok' : 'FAILED'})`,
      value: `${(report.durationMs / 1000).toFixed(2)} s = ${usPerEntry.toFixed(2)} µs/entry (main thread only)`,
    },
  );
}
console.log(
  `Audit ledger appends: ${entries.toLocaleString('en-US')} entries (baseline ${baselineEntries.toLocaleString('en-US')}) — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores); load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}`,
);
console.table(rows);
console.log('Verify over a real 1 M-entry ledger: node bin/bench.js audit-verify');
console.log('Pure Merkle recomputation over 1 M entries (no database): node bin/bench.js merkle-verify');
