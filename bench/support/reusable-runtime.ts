/**
 * A production-backend runtime (PostgreSQL, Redis, NATS on 127.0.0.1) for benchmarks, either fresh (dropped
 * afterwards, like the integration tests') or kept under a fixed name so a later run can reuse a large seed:
 * `carebase_<name>` and `carebase_<name>_audit`, with the data directory (key files) beside them in the
 * temp dir. Drop a kept one with `--drop` or `dropdb`.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openRuntime } from '../../src/app/index.ts';
import { loadConfig, type Env } from '../../src/config/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { openPostgresDatabase } from '../../test/support/postgres.ts';
import { backends, openTestRuntime, type TestRuntime } from '../../test/support/runtime.ts';
import { natsUrl, redisUrl, requireReachable } from '../../test/support/services.ts';

/**
 * `keep` undefined: fresh databases, dropped by `cleanup`. Otherwise the kept databases named after it
 * (letters, digits and `_` only); `cleanup` then only closes the runtime.
 */
export async function benchRuntime(label: string, keep: string | undefined, extraEnv: Env) {
  if (keep === undefined) return openTestRuntime(backends[1], label, extraEnv);
  if (!/^[a-z0-9_]{1,40}$/.test(keep)) throw new Error('--database takes [a-z0-9_]{1,40}');
  await requireReachable('Redis', redisUrl);
  await requireReachable('NATS', natsUrl);
  const records = await openPostgresDatabase(`carebase_${keep}`, true);
  const audit = await openPostgresDatabase(`carebase_${keep}_audit`, true);
  const dataDir = path.join(os.tmpdir(), `carebase-${keep}`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const env: Env = {
    CAREBASE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    DATABASE_URL: records.appUrl,
    DATABASE_OWNER_URL: records.ownerUrl,
    AUDIT_DATABASE_URL: audit.appUrl,
    AUDIT_DATABASE_OWNER_URL: audit.ownerUrl,
    REDIS_URL: redisUrl,
    NATS_URL: natsUrl,
    ...extraEnv,
  };
  const config = loadConfig(env);
  const runtime = await openRuntime(config, createLogger(config));
  const t: TestRuntime = { runtime, config, env, records, audit, cleanup: () => runtime.close() };
  return t;
}
