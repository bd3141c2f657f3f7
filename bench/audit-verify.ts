/**
 * `verify` over a real audit ledger of 1,000,000 entries (SPEC §7 / issue #7: "verify 1 M entries < 5 s"),
 * beside baselines measured in the same run over the same stored bytes:
 * - pure SHA-256 of every entry (one core, no tree, no database): the floor of any verification;
 * - the pure Merkle root (leaf hash + fold, one core, no database);
 * - the real `verifyLedger` (what `carebase audit verify` and the worker run): reads the ledger database,
 *   checks each entry's bytes, stored and published leaf hashes, index columns, stored nodes, and every
 *   signed checkpoint.
 *
 * The ledger is filled once through the ledger's own group-committed `append` with the checkpointer on
 * (a signed checkpoint and its leaf segment every 10,000 entries), exactly as production writes it, and
 * kept for later runs (`--fresh` refills it, `--drop` removes it after the run).
 *
 *   node --import tsx bench/audit-verify.ts [--entries 1000000] [--runs 3]
 *        [--backend postgres|pglite|both] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
 *        [--dir /tmp/carebase-bench-audit-verify] [--fresh] [--drop]
 *
 * It reports; it does not assert timings.
 */
import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { auditMigrations, createAuditLedger, verifyLedger } from '../src/modules/audit/index.ts';
import { generateNoteKeys, parseSignerKey, parseVerifierKey } from '../src/modules/audit/checkpoint/index.ts';
import { CompactMerkleTree } from '../src/modules/audit/merkle/index.ts';
import { createCheckpointer } from '../src/modules/audit/publish/checkpointer.ts';
import { userContext } from '../src/platform/context/index.ts';
import { migrateToLatest, openDatabase, type Database } from '../src/platform/db/index.ts';
import { createLogger } from '../src/platform/logging/index.ts';
import { createObjectStorage } from '../src/platform/storage/index.ts';
import { loadConfig } from '../src/config/index.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'postgres' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    dir: { type: 'string', default: path.join(os.tmpdir(), 'carebase-bench-audit-verify') },
    fresh: { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
  },
});
const entryCount = Number(values.entries);
const runs = Number(values.runs);
const logger = createLogger(loadConfig({ LOG_LEVEL: 'silent' }));
const POSTGRES_DB = `carebase_bench_audit_verify_${entryCount}`;

/** A realistic clinician read: about 400 bytes of canonical JSON. */
const ctx = (i: number) =>
  userContext({
    requestId: `req-${(i * 2654435761).toString(36).slice(-10)}`,
    subject: `user-${i % 97}`,
    roles: ['physician'],
    institution: 'inst-a1',
    purpose: i % 50 === 0 ? 'ETREAT' : 'TREAT',
    clientId: 'carebase-web',
    ip: `10.1.${(i >> 8) & 255}.${i & 255}`,
    userAgent: 'Firefox/132.0',
  });
const event = (i: number) => ({
  action: 'read' as const,
  outcome: i % 100 === 0 ? ('deny' as const) : ('permit' as const),
  patientId: `pat-${(i % 50_000).toString(16).padStart(8, '0')}`,
  resourceType: 'Observation',
  resourceIds: [`obs-${i.toString(16).padStart(8, '0')}`],
  category: 'labs',
  policyIds: ['care-team-read'],
});

interface Ledger {
  name: string;
  database: Database;
  objectsDir: string;
  keysFile: string;
  drop(): Promise<void>;
}

async function openLedger(backend: 'postgres' | 'pglite'): Promise<Ledger> {
  const root = path.join(values.dir, backend);
  const objectsDir = path.join(root, 'objects');
  const keysFile = path.join(root, 'keys.json');
  if (backend === 'pglite') {
    if (values.fresh) await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    const database = await openDatabase({ kind: 'pglite', dataDir: path.join(root, `db-${entryCount}`) });
    return {
      name: 'PGlite (embedded)',
      database,
      objectsDir,
      keysFile,
      drop: () => rm(root, { recursive: true, force: true }),
    };
  }
  const admin = new pg.Client({ connectionString: values.postgres });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [POSTGRES_DB]);
  if (values.fresh || exists.rowCount === 0) {
    await admin.query(`drop database if exists ${POSTGRES_DB} with (force)`);
    await rm(root, { recursive: true, force: true });
    await admin.query(`create database ${POSTGRES_DB}`);
  }
  await admin.end();
  await mkdir(root, { recursive: true });
  const url = new URL(values.postgres);
  url.pathname = `/${POSTGRES_DB}`;
  const database = await openDatabase({
    kind: 'postgres',
    url: url.toString(),
    ownerUrl: undefined,
    poolSize: 4,
  });
  return {
    name: 'PostgreSQL (production)',
    database,
    objectsDir,
    keysFile,
    async drop() {
      const dropper = new pg.Client({ connectionString: values.postgres });
      await dropper.connect();
      await dropper.query(`drop database if exists ${POSTGRES_DB} with (force)`);
      await dropper.end();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Fills the ledger to `entryCount` through the real append path and checkpointer; a no-op when already full. */
async function fill(ledger: Ledger): Promise<{ filled: number; seconds: number }> {
  const db = ledger.database.db as Kysely<unknown>;
  await migrateToLatest(db, auditMigrations);
  const keys = existsSync(ledger.keysFile)
    ? (JSON.parse(await readFile(ledger.keysFile, 'utf8')) as ReturnType<typeof generateNoteKeys>)
    : generateNoteKeys('bench.carebase/audit');
  await writeFile(ledger.keysFile, JSON.stringify(keys));
  const storage = await createObjectStorage({ kind: 'local', root: ledger.objectsDir });
  const appender = createAuditLedger({ database: ledger.database, logger, maxBatch: 5_000 });
  const checkpointer = createCheckpointer({
    ledger: appender,
    db,
    storage,
    signer: parseSignerKey(keys.signerKey),
    logger,
    everyEntries: 10_000,
    intervalMs: 0,
  });
  const start = performance.now();
  const have = await appender.size();
  let next = have;
  const worker = async () => {
    while (next < entryCount) {
      const i = next++;
      await appender.append(ctx(i), event(i));
    }
  };
  await Promise.all(Array.from({ length: 5_000 }, worker));
  await appender.flush();
  await checkpointer.checkpointNow();
  await checkpointer.close();
  await appender.close();
  await storage.close();
  if (ledger.database.kind === 'postgres') await sql`vacuum analyze audit_entry`.execute(db);
  return { filled: entryCount - have, seconds: (performance.now() - start) / 1000 };
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
const uptime = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

interface Figures {
  rows: Record<string, string>[];
  notes: string[];
}
interface Sample {
  ms: number;
  /** CPU time of this process (all its threads) during the run; the database server's is not included. */
  cpuMs: number;
}

async function measure(ledger: Ledger, figures: Figures): Promise<void> {
  const filled = await fill(ledger);
  if (runs === 0) {
    console.log(`${ledger.name}: filled ${filled.filled} entries in ${filled.seconds.toFixed(1)} s`);
    return;
  }
  const db = ledger.database.db as Kysely<unknown>;
  const keys = JSON.parse(await readFile(ledger.keysFile, 'utf8')) as ReturnType<typeof generateNoteKeys>;
  const storage = await createObjectStorage({ kind: 'local', root: ledger.objectsDir });
  const verifier = parseVerifierKey(keys.verifierKey);

  const threads = Math.min(4, os.availableParallelism());
  const verify = { parallel: [] as Sample[], single: [] as Sample[] };
  let report: Awaited<ReturnType<typeof verifyLedger>> | undefined;
  // Verify first, while the heap is small: the baselines below hold a million entry buffers.
  for (let run = 0; run < runs; run++) {
    for (const [mode, count] of [
      ['parallel', threads],
      ['single', 0],
    ] as const) {
      const cpu = process.cpuUsage();
      report = await verifyLedger({ db, storage, verifier, threads: count });
      const used = process.cpuUsage(cpu);
      verify[mode].push({ ms: report.durationMs, cpuMs: (used.user + used.system) / 1000 });
    }
  }

  // The same stored bytes, loaded into memory for the baselines.
  const { rows } = await sql<{ entry: string }>`select entry from audit_entry order by seq`.execute(db);
  const encoder = new TextEncoder();
  const entries = rows.map((r) => encoder.encode(r.entry));
  const bytes = entries.reduce((n, e) => n + e.length, 0);
  rows.length = 0;
  const sha: number[] = [];
  const merkle: number[] = [];
  let root = '';
  for (let run = 0; run < runs; run++) {
    let start = performance.now();
    for (const entry of entries) crypto.hash('sha256', entry, 'buffer');
    sha.push(performance.now() - start);
    start = performance.now();
    const tree = new CompactMerkleTree();
    for (const entry of entries) tree.appendEntry(entry);
    root = Buffer.from(tree.root()).toString('base64');
    merkle.push(performance.now() - start);
  }
  const verified = report
    ? `${report.ok ? 'ok' : `FAILED: ${report.failures[0]?.message}`}, ${report.entries.toLocaleString('en-US')} entries, ` +
      `${report.checkpoints} checkpoints, root ${report.root === root ? 'matches' : 'DIFFERS FROM'} the pure recomputation`
    : '';
  await storage.close();
  const n = entries.length;
  const row = (measureName: string, ms: number, cpuMs?: number) => ({
    backend: ledger.name,
    measure: measureName,
    'total (s)': (ms / 1000).toFixed(2),
    'µs / entry': ((ms * 1000) / n).toFixed(2),
    'vs SHA-256': `${(ms / median(sha)).toFixed(2)}×`,
    'CPU (s)': cpuMs === undefined ? '' : (cpuMs / 1000).toFixed(2),
  });
  const mid = (samples: Sample[]) => samples.find((s) => s.ms === median(samples.map((x) => x.ms))) as Sample;
  figures.rows.push(
    row('baseline: SHA-256 of each stored entry (1 core, in memory)', median(sha)),
    row('baseline: Merkle root of the stored entries (1 core, in memory)', median(merkle)),
    row(
      `verifyLedger, ${threads} worker threads + main`,
      mid(verify.parallel).ms,
      mid(verify.parallel).cpuMs,
    ),
    row('verifyLedger, main thread only', mid(verify.single).ms, mid(verify.single).cpuMs),
  );
  figures.notes.push(`${ledger.name} verify: ${verified}`);
  console.log(
    `${ledger.name}: ${n.toLocaleString('en-US')} entries, ${(bytes / n).toFixed(0)} bytes/entry on average` +
      (filled.filled > 0
        ? `; filled ${filled.filled.toLocaleString('en-US')} through append + checkpointer in ${filled.seconds.toFixed(1)} s (${Math.round(filled.filled / filled.seconds).toLocaleString('en-US')} appends/s)`
        : '; reused the filled ledger') +
      `; verify runs (s): ${verify.parallel.map((x) => (x.ms / 1000).toFixed(2)).join(', ')} (${threads} threads), ` +
      `${verify.single.map((x) => (x.ms / 1000).toFixed(2)).join(', ')} (main only); load average ${uptime()}`,
  );
}

const backends =
  values.backend === 'both' ? (['postgres', 'pglite'] as const) : [values.backend as 'postgres' | 'pglite'];
const figures: Figures = { rows: [], notes: [] };
console.log(
  `Audit verify over ${entryCount.toLocaleString('en-US')} stored entries — median of ${runs} runs — Node ${process.version}, ` +
    `${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores); load average at start ${uptime()}`,
);
for (const backend of backends) {
  const ledger = await openLedger(backend);
  try {
    await measure(ledger, figures);
  } finally {
    await ledger.database.close();
    if (values.drop) await ledger.drop();
  }
}
if (figures.rows.length > 0) console.table(figures.rows);
for (const note of figures.notes) console.log(note);
console.log("CPU (s): this process, all threads; the database server's CPU is not included.");
console.log(`Goal: verify 1,000,000 entries in < 5 s. Load average at end ${uptime()}.`);
