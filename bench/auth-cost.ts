/**
 * What authentication costs (SPEC §7), each figure beside a baseline measured in the same run:
 * - sign-in: argon2id verification and a whole password login, beside a SHA-256 of the same password;
 * - per request: access-token verification (ES256) with the revocation check, beside verification alone;
 *   the check both as a primary-key read of the session and as the epoch-validated per-process cache
 *   the enforcer uses (one cache GET on a hit); and the whole edge enforcer (+ scope, purpose, rate limit).
 *
 *   node --import tsx bench/auth-cost.ts [--logins 20] [--requests 3000]
 *
 * Embedded backends by default; set DATABASE_URL (and REDIS_URL) to measure PostgreSQL (and Redis).
 * Reports medians and p99; it does not assert timings.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { openRuntime } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import {
  createAccessTokenVerifier,
  createIdentityService,
  hashPassword,
  verifyAccessToken,
  verifyPassword,
  type IdentityDB,
} from '../src/modules/identity/index.ts';
import { passwordLogin } from '../src/modules/identity/password-login.ts';
import { createLogger } from '../src/platform/logging/index.ts';

const { values } = parseArgs({
  options: { logins: { type: 'string', default: '20' }, requests: { type: 'string', default: '3000' } },
});
const loginRuns = Number(values.logins);
const requestRuns = Number(values.requests);

async function measure(runs: number, fn: (i: number) => Promise<unknown> | unknown) {
  for (let i = 0; i < Math.min(50, runs); i += 1) await fn(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    median: samples[Math.floor(runs / 2)]!,
    p99: samples[Math.min(runs - 1, Math.floor(runs * 0.99))]!,
  };
}

const rows: [string, string, string][] = [];
const report = (name: string, result: { median: number; p99: number }, unit: 'µs' | 'ms') => {
  const f = (us: number) => (unit === 'ms' ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
  rows.push([name, f(result.median), f(result.p99)]);
};

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'carebase-bench-auth-'));
const config = loadConfig({
  ...process.env,
  CAREBASE_DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
});
const runtime = await openRuntime(config, createLogger(config));
try {
  const db = runtime.records.db as Kysely<IdentityDB>;
  const institution = `bench-${randomBytes(3).toString('hex')}`;
  await db.insertInto('institution').values({ id: institution, name: 'Bench' }).execute();
  const password = 'correct horse battery staple';
  const userId = `bench-user-${institution}`;
  await db
    .insertInto('user_account')
    .values({
      id: userId,
      username: userId,
      display_name: 'Bench',
      password_hash: await hashPassword(password),
      roles: ['patient'],
      institution_id: institution,
      patient_id: 'p1',
    })
    .execute();
  const identity = await createIdentityService({
    config,
    database: runtime.records,
    cache: runtime.cache,
    logger: runtime.logger,
  });
  const storedHash = (
    await db
      .selectFrom('user_account')
      .select('password_hash')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow()
  ).password_hash;

  // --- sign-in ---
  report(
    'baseline: SHA-256 of the password',
    await measure(loginRuns * 50, () => createHash('sha256').update(password).digest()),
    'µs',
  );
  report(
    'argon2id verify (19 MiB, t=2, p=1)',
    await measure(loginRuns, () => verifyPassword(storedHash, password)),
    'ms',
  );
  report(
    'whole password login (throttle + argon2 + session + ES256 token + refresh token)',
    await measure(loginRuns, () =>
      passwordLogin(
        identity,
        { username: userId, password },
        { ip: '127.0.0.1', userAgent: 'bench', requestId: 'bench' },
      ),
    ),
    'ms',
  );

  // --- per request ---
  const login = await passwordLogin(
    identity,
    { username: userId, password },
    { ip: '127.0.0.1', userAgent: 'bench', requestId: 'bench' },
  );
  if (login.kind !== 'tokens') throw new Error('bench login did not return tokens');
  const token = login.body.access_token;
  const sid = (await verifyAccessToken(token, identity.keys, identity.settings)).sid;
  const memoized = createAccessTokenVerifier(identity.keys, identity.settings);
  report(
    'verify only: ES256 signature + claims (no revocation check)',
    await measure(requestRuns, () => verifyAccessToken(token, identity.keys, identity.settings)),
    'µs',
  );
  report(
    'verify only, memoized: the same token seen before (what the enforcer does)',
    await measure(requestRuns, () => memoized(token)),
    'µs',
  );
  report(
    'revocation check alone: session primary-key read',
    await measure(requestRuns, () => identity.sessions.isActive(sid)),
    'µs',
  );
  report(
    'revocation check alone: epoch-validated session cache (hit)',
    await measure(requestRuns, () => identity.sessionState.isActive(sid)),
    'µs',
  );
  report(
    'verify + revocation check by primary-key read (no cache)',
    await measure(requestRuns, async () => {
      const claims = await verifyAccessToken(token, identity.keys, identity.settings);
      return identity.sessions.isActive(claims.sid);
    }),
    'µs',
  );
  report(
    'verify + revocation check by epoch-validated cache',
    await measure(requestRuns, async () => {
      const claims = await verifyAccessToken(token, identity.keys, identity.settings);
      return identity.sessionState.isActive(claims.sid);
    }),
    'µs',
  );
  const request = {
    id: 'bench-request',
    ip: '127.0.0.1',
    headers: { authorization: `Bearer ${token}`, 'user-agent': 'bench' },
    routeOptions: { url: '/fhir/R4/:type/:id' },
    params: { type: 'Observation', id: 'o1' },
    query: {},
  } as unknown as FastifyRequest;
  report(
    'whole edge enforcer (memoized verify + cached revocation check + scope + purpose + rate limit + context)',
    await measure(requestRuns, () =>
      identity.enforceAccess(request, {
        kind: 'authenticated',
        scopes: ['patient/{type}.r', 'user/{type}.r'],
      }),
    ),
    'µs',
  );

  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(
    `\nAuthentication cost — ${config.mode} mode (records: ${runtime.records.kind}, cache: ${runtime.cache.kind}), ${os.cpus().length} CPUs\n\n`,
  );
  process.stdout.write(`${'measurement'.padEnd(width)}  ${'median'.padStart(10)}  ${'p99'.padStart(10)}\n`);
  for (const [name, median, p99] of rows)
    process.stdout.write(`${name.padEnd(width)}  ${median.padStart(10)}  ${p99.padStart(10)}\n`);
  process.stdout.write(`\n(${loginRuns} sign-ins, ${requestRuns} requests per measurement, sequential.)\n`);
} finally {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}
