import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openRuntime, type Runtime } from '../../src/app/index.ts';
import { loadConfig, type Config, type Env } from '../../src/config/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { createTestPostgres, type TestPostgres } from './postgres.ts';
import { natsUrl, redisUrl, requireReachable } from './services.ts';

/** The two deployment modes every integration suite runs against; the names appear in test titles. */
export const backends = [
  { name: 'embedded (PGlite, in-process cache and bus, local files)', kind: 'embedded' },
  { name: 'production (PostgreSQL, Redis, NATS JetStream)', kind: 'production' },
] as const;
export type Backend = (typeof backends)[number];

export interface TestRuntime {
  runtime: Runtime;
  config: Config;
  env: Env;
  records?: TestPostgres;
  audit?: TestPostgres;
  cleanup(): Promise<void>;
}

/** Environment for a backend: a fresh temp data dir, and in production fresh databases and roles. */
export async function testEnvironment(
  backend: Backend,
  label: string,
): Promise<{ env: Env; records?: TestPostgres; audit?: TestPostgres; cleanup(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `carebase-${label}-`));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  const env: Env = { CAREBASE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'test' };
  if (backend.kind === 'embedded') return { env, cleanup: removeDir };

  await requireReachable('Redis', redisUrl);
  await requireReachable('NATS', natsUrl);
  const records = await createTestPostgres(label);
  const audit = await createTestPostgres(`${label}_audit`);
  Object.assign(env, {
    DATABASE_URL: records.appUrl,
    DATABASE_OWNER_URL: records.ownerUrl,
    AUDIT_DATABASE_URL: audit.appUrl,
    AUDIT_DATABASE_OWNER_URL: audit.ownerUrl,
    REDIS_URL: redisUrl,
    NATS_URL: natsUrl,
  });
  return {
    env,
    records,
    audit,
    cleanup: async () => {
      await records.drop();
      await audit.drop();
      await removeDir();
    },
  };
}

export async function openTestRuntime(
  backend: Backend,
  label: string,
  extraEnv: Env = {},
): Promise<TestRuntime> {
  const environment = await testEnvironment(backend, label);
  const env = { ...environment.env, ...extraEnv };
  const config = loadConfig(env);
  const runtime = await openRuntime(config, createLogger(config));
  return {
    runtime,
    config,
    env,
    records: environment.records,
    audit: environment.audit,
    cleanup: async () => {
      await runtime.close();
      await environment.cleanup();
    },
  };
}
