import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAdminUrl } from '../support/postgres.ts';
import { runCli } from '../support/cli.ts';
import { backends, testEnvironment } from '../support/runtime.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('carebase CLI', () => {
  it('exits 2 naming every bad variable', async () => {
    const run = runCli(['start'], { DATABASE_URL: 'nonsense', PORT: '-1' });
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(run.output()).toMatch(/PORT: must be ≥ 0/);
  });

  it('refuses to start in production mode as a PostgreSQL superuser', async () => {
    const run = runCli(['start'], { DATABASE_URL: postgresAdminUrl, LOG_LEVEL: 'silent' });
    const { code } = await run.exited;
    expect(code).toBe(1);
    expect(run.output()).toMatch(/Refusing to start: database role "postgres" is a superuser/);
  });

  it('has helpful --help for every command', async () => {
    for (const command of [[], ['start'], ['seed'], ['migrate'], ['worker']]) {
      const run = runCli([...command, '--help'], {});
      expect((await run.exited).code).toBe(0);
      expect(run.output()).toMatch(/Usage: carebase/);
    }
    const seedHelp = runCli(['seed', '--help'], {});
    await seedHelp.exited;
    expect(seedHelp.output()).toMatch(/--patients <n>/);
  });
});

describe.each(backends)('carebase start on $name', (backend) => {
  it('migrates, loads the demo data, serves /readyz 200 and drains on SIGTERM', async () => {
    const environment = await testEnvironment(backend, 'cli_start');
    cleanups.push(environment.cleanup);
    const run = runCli(['start'], {
      ...environment.env,
      PORT: '0',
      CAREBASE_SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
    });
    const [, url] = await run.waitFor(/running \(\w+ mode\) at (http:\/\/\S+)/, 120_000);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    const credentials = JSON.parse(
      await readFile(path.join(environment.env.CAREBASE_DATA_DIR!, 'demo-credentials.json'), 'utf8'),
    ) as { users: { roles: string[] }[] };
    expect(credentials.users.length).toBeGreaterThan(10);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });
});

describe.each(backends)('carebase seed on $name', (backend) => {
  it('killed half-way (SIGKILL) and re-run leaves every patient complete and none duplicated', async () => {
    const environment = await testEnvironment(backend, 'cli_seed');
    cleanups.push(environment.cleanup);
    const env = { ...environment.env, LOG_LEVEL: 'warn' };
    // Several committed batches before the kill, on the encrypted write path.
    const args = [
      'seed',
      '--patients',
      '90',
      '--batch-size',
      '15',
      '--institutions',
      '2',
      '--seed',
      'kill-test',
    ];

    const interrupted = runCli(args, env);
    await interrupted.waitFor(/Seeding patients: [1-9]\d*\/90/, 120_000);
    interrupted.child.kill('SIGKILL');
    await interrupted.exited;

    const resumed = runCli(args, env);
    expect((await resumed.exited).code, resumed.output()).toBe(0);

    const clean = await testEnvironment(backend, 'cli_seed_clean');
    cleanups.push(clean.cleanup);
    const reference = runCli(args, { ...clean.env, LOG_LEVEL: 'warn' });
    expect((await reference.exited).code, reference.output()).toBe(0);

    type Summary = {
      patients: { created: number; skipped: number };
      stored: { patients: number; resources: number };
    };
    const summaryOf = (output: string) => JSON.parse(output.trim().split('\n').at(-1)!) as Summary;
    const after = summaryOf(resumed.output());
    // The interrupted run committed whole batches only; the re-run skipped them and finished the rest.
    expect(after.patients.skipped).toBeGreaterThan(0);
    expect(after.patients.created).toBeGreaterThan(0);
    expect(after.stored).toEqual(summaryOf(reference.output()).stored);
    expect(after.stored.patients).toBe(90);
  }, 300_000);
});
