import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/app/index.ts';
import {
  AUDIT_VERIFY_QUEUE,
  auditVerificationJob,
  readVerificationStatus,
  registerAuditMetrics,
} from '../../src/modules/audit/index.ts';
import type { RunningJob } from '../../src/platform/jobs/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { runCli } from '../support/cli.ts';
import { backends, testEnvironment } from '../support/runtime.ts';
import { loadConfig, type Env } from '../../src/config/index.ts';
import { clinician, manualCheckpoints, readEvent, tamper } from './audit-fixtures.ts';

const fakeJob = (): RunningJob => ({
  id: 'job-1',
  queue: AUDIT_VERIFY_QUEUE,
  payload: {},
  attempt: 1,
  signal: new AbortController().signal,
  reportProgress: async () => {},
});

describe.each(backends)('carebase audit verify and the scheduled verification — $name', (backend) => {
  let environment: Awaited<ReturnType<typeof testEnvironment>>;
  let env: Env;
  const open = async (): Promise<Runtime> => {
    const config = loadConfig(env);
    return openRuntime(config, createLogger(config));
  };
  beforeAll(async () => {
    environment = await testEnvironment(backend, 'auditcli');
    env = { ...environment.env, ...manualCheckpoints, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => environment?.cleanup());

  it('passes a clean ledger with exit 0, then names the edited entry with exit 1', async () => {
    let runtime = await open();
    try {
      await Promise.all(
        Array.from({ length: 300 }, (_, i) => runtime.auditLog.append(clinician(), readEvent(`p-${i}`))),
      );
      await runtime.auditLog.checkpoints.checkpointNow();
    } finally {
      await runtime.close();
    }
    // PGlite is single-process: the CLI runs while no runtime holds the data directory.
    const clean = runCli(['audit', 'verify'], env);
    expect((await clean.exited).code).toBe(0);
    expect(clean.output()).toMatch(/OK: 300 entries and 1 signed checkpoints verified/);

    runtime = await open();
    try {
      const owner = backend.kind === 'production' ? undefined : runtime.audit.db;
      const { openDatabase } = await import('../../src/platform/db/index.ts');
      const ownerDb = owner
        ? { db: owner, close: async () => {} }
        : await openDatabase({
            kind: 'postgres',
            url: environment.audit!.ownerUrl,
            ownerUrl: undefined,
            poolSize: 1,
          });
      await tamper(ownerDb.db, (db) =>
        sql`update audit_entry set entry = replace(entry, '"read"', '"create"') where seq = 7`.execute(db),
      );
      await ownerDb.close();

      // The worker's scheduled run finds it, stores the result, raises the alert gauge and queues the next run.
      const job = auditVerificationJob(runtime.auditLog, runtime.jobs, runtime.logger);
      await job(fakeJob());
      const status = await readVerificationStatus(runtime.storage);
      expect(status).toMatchObject({ ok: false, entries: 300 });
      expect(status!.failures[0]).toMatchObject({ kind: 'entry', index: 7 });
      const registry = new Registry();
      registerAuditMetrics(registry, runtime.auditLog);
      expect(await registry.metrics()).toContain('carebase_audit_verification_failed 1');
      const queued = await runtime.jobs.list({ queue: AUDIT_VERIFY_QUEUE });
      expect(queued.length).toBeGreaterThanOrEqual(1);
      expect(queued[0]!.runAt.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await runtime.close();
    }
    const tampered = runCli(['audit', 'verify'], env);
    expect((await tampered.exited).code).toBe(1);
    expect(tampered.output()).toMatch(/FAIL entry #7: entry 7: its bytes do not match its stored leaf hash/);
  });

  it('refuses a checkpoint signed by another key', async () => {
    const { generateNoteKeys } = await import('../../src/modules/audit/checkpoint/index.ts');
    const { verifierKey } = generateNoteKeys('127.0.0.1:8080/audit');
    const other = runCli(['audit', 'verify', '--key', verifierKey], env);
    expect((await other.exited).code).toBe(1);
    expect(other.output()).toMatch(
      /FAIL checkpoint @300: checkpoint at size 300 does not verify \(unknown_key\)/,
    );
  });
});
