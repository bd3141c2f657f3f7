import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { TOTP } from 'otpauth';
import { afterAll, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { runCli } from '../support/cli.ts';
import { backends, testEnvironment } from '../support/runtime.ts';

interface DemoUser {
  username: string;
  password: string;
  totpSecret?: string;
  patientId?: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * Fail-closed audit under a crash: clients read records while the server is killed with SIGKILL. Every
 * response that carried data must have its ledger entry once the ledger is opened again, because the
 * records service answers only after the group commit holding that entry is durable.
 */
describe.each(backends)('audit ledger survives SIGKILL on $name', (backend) => {
  it('has a durable entry for every record read a client received before the kill', async () => {
    const environment = await testEnvironment(backend, 'audit_crash');
    cleanups.push(environment.cleanup);
    const env = { ...environment.env, PORT: '0', CAREBASE_SEED_DEMO: 'true', LOG_LEVEL: 'warn' };
    const server = runCli(['start'], env);
    const [, url] = await server.waitFor(/running \(\w+ mode\) at (http:\/\/\S+)/, 120_000);

    const credentials = JSON.parse(
      await readFile(path.join(environment.env.CAREBASE_DATA_DIR!, 'demo-credentials.json'), 'utf8'),
    ) as { users: DemoUser[] };
    const patient = credentials.users.find((u) => u.patientId && !u.totpSecret)!;
    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: patient.username,
        password: patient.password,
        ...(patient.totpSecret ? { otp: new TOTP({ secret: patient.totpSecret }).generate() } : {}),
      }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const readUrl = `${url}/fhir/R4/Patient/${patient.patientId!}`;

    // Eight clients read in a loop; the server is killed while they are in flight.
    const answered: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        try {
          const response = await fetch(readUrl, { headers: { authorization: `Bearer ${token}` } });
          const body = (await response.json()) as { resourceType?: string };
          if (response.status === 200 && body.resourceType === 'Patient')
            answered.push(response.headers.get('x-request-id')!);
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    server.child.kill('SIGKILL');
    await server.exited;
    running = false;
    await Promise.all(clients);
    expect(answered.length).toBeGreaterThan(20);

    // "Restart": open the same databases again, as the next `carebase start` would.
    const config = loadConfig({ ...env, CAREBASE_SEED_DEMO: 'false' });
    const runtime = await openRuntime(config, createLogger(config));
    try {
      const { rows } = await sql<{ request_id: string }>`
        select request_id from audit_entry
        where action = 'read' and outcome = 'permit' and patient_id = ${patient.patientId!}`.execute(
        runtime.audit.db,
      );
      const durable = new Set(rows.map((r) => r.request_id));
      const missing = answered.filter((id) => !durable.has(id));
      expect(missing).toEqual([]);
    } finally {
      await runtime.close();
    }
  }, 240_000);
});
