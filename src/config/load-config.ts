import path from 'node:path';
import { z } from 'zod';
import type { Config, DatabaseConfig } from './config.ts';

export type Env = Record<string, string | undefined>;

/** Thrown by loadConfig with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.pathname.length > 1;
  } catch {
    return false;
  }
}, 'must be a postgres:// URL with a database name, e.g. postgres://carebase@127.0.0.1:5432/carebase');

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' });
const natsUrl = z
  .string()
  .refine((v) => /^(nats|tls):\/\/[^\s/]+$/.test(v), 'must be a nats:// URL such as nats://127.0.0.1:4222');
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().min(min, `must be ≥ ${min}`).max(max, `must be ≤ ${max}`));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  PORT: int(0, 65535).optional(),
  HOST: z.string().min(1).optional(),
  PUBLIC_URL: httpUrl.optional(),
  CAREBASE_DATA_DIR: z.string().min(1).optional(),
  CAREBASE_BODY_LIMIT_BYTES: int(1024, 1024 ** 3).optional(),
  CAREBASE_TRUST_PROXY: bool.optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_OWNER_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: int(1, 500).optional(),
  AUDIT_DATABASE_URL: postgresUrl.optional(),
  AUDIT_DATABASE_OWNER_URL: postgresUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  NATS_URL: natsUrl.optional(),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid bucket name')
    .optional(),
  S3_REGION: z.string().min(1).optional(),
  S3_ENDPOINT: httpUrl.optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.optional(),
  JOBS_CONCURRENCY: int(1, 64).optional(),
  JOBS_POLL_INTERVAL_MS: int(10, 60_000).optional(),
  AUTH_ACCESS_TOKEN_TTL_SECONDS: int(60, 3600).optional(),
  AUTH_REFRESH_TOKEN_TTL_SECONDS: int(300, 30 * 24 * 3600).optional(),
  AUTH_LOGIN_MAX_FAILURES: int(1, 100).optional(),
  AUTH_LOCKOUT_SECONDS: int(1, 24 * 3600).optional(),
  AUTH_LOGIN_MAX_FAILURES_PER_IP: int(1, 1_000_000).optional(),
  AUTH_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).optional(),
  AUTH_SIGNING_KEY_ROTATION_DAYS: int(1, 365).optional(),
  AUDIT_RETENTION_DAYS: int(6 * 365, 100 * 365).optional(),
  AUDIT_CHECKPOINT_EVERY: int(1, 10_000_000).optional(),
  AUDIT_CHECKPOINT_INTERVAL_MS: int(0, 24 * 3_600_000).optional(),
  AUDIT_VERIFY_INTERVAL_MS: int(0, 7 * 24 * 3_600_000).optional(),
  AUDIT_GROUP_COMMIT_DELAY_MS: int(0, 100).optional(),
  AUDIT_GROUP_COMMIT_MAX_BATCH: int(1, 10_000).optional(),
  BREAK_GLASS_MINUTES: int(1, 24 * 60).optional(),
  BREAK_GLASS_MAX_MINUTES: int(1, 24 * 60).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  LOG_PRETTY: bool.optional(),
  CAREBASE_SEED_DEMO: bool.optional(),
  CAREBASE_SHUTDOWN_GRACE_MS: int(0, 600_000).optional(),
});

/**
 * Pure: builds the configuration from an environment map. The only place that knows variable names.
 * Every invalid variable is reported at once.
 */
export function loadConfig(env: Env): Config {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(environment)'),
        message: issue.message,
      })),
    );
  }
  const e = parsed.data;
  const problems: { variable: string; message: string }[] = [];
  if (e.S3_ENDPOINT && !e.S3_BUCKET)
    problems.push({ variable: 'S3_BUCKET', message: 'is required when S3_ENDPOINT is set' });
  if (e.AUDIT_DATABASE_URL && !e.DATABASE_URL)
    problems.push({ variable: 'DATABASE_URL', message: 'is required when AUDIT_DATABASE_URL is set' });
  if (e.DATABASE_URL && e.AUDIT_DATABASE_URL && sameDatabase(e.DATABASE_URL, e.AUDIT_DATABASE_URL))
    problems.push({
      variable: 'AUDIT_DATABASE_URL',
      message: 'must name a different database than DATABASE_URL',
    });
  if (e.AUDIT_DATABASE_OWNER_URL && !e.AUDIT_DATABASE_URL)
    problems.push({
      variable: 'AUDIT_DATABASE_URL',
      message: 'is required when AUDIT_DATABASE_OWNER_URL is set',
    });
  if (e.DATABASE_OWNER_URL && !e.DATABASE_URL)
    problems.push({ variable: 'DATABASE_URL', message: 'is required when DATABASE_OWNER_URL is set' });
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = path.resolve(e.CAREBASE_DATA_DIR ?? './data');
  const host = e.HOST ?? '127.0.0.1';
  const port = e.PORT ?? 8080;
  const poolSize = e.DATABASE_POOL_SIZE ?? 20;
  const db: DatabaseConfig = e.DATABASE_URL
    ? { kind: 'postgres', url: e.DATABASE_URL, ownerUrl: e.DATABASE_OWNER_URL, poolSize }
    : { kind: 'pglite', dataDir: path.join(dataDir, 'records') };
  const auditDb: DatabaseConfig = e.AUDIT_DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.AUDIT_DATABASE_URL,
        ownerUrl: e.AUDIT_DATABASE_OWNER_URL,
        poolSize: Math.min(poolSize, 10),
      }
    : { kind: 'pglite', dataDir: path.join(dataDir, 'audit') };

  return {
    mode: db.kind === 'postgres' ? 'production' : 'embedded',
    dataDir,
    http: {
      host,
      port,
      publicUrl: (e.PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
        /\/$/,
        '',
      ),
      bodyLimitBytes: e.CAREBASE_BODY_LIMIT_BYTES ?? 10 * 1024 * 1024,
      trustProxy: e.CAREBASE_TRUST_PROXY ?? false,
    },
    db,
    auditDb,
    cache: e.REDIS_URL ? { kind: 'redis', url: e.REDIS_URL } : { kind: 'memory' },
    bus: e.NATS_URL ? { kind: 'nats', url: e.NATS_URL } : { kind: 'memory' },
    storage: e.S3_BUCKET
      ? {
          kind: 's3',
          bucket: e.S3_BUCKET,
          region: e.S3_REGION ?? 'us-east-1',
          endpoint: e.S3_ENDPOINT,
          accessKeyId: e.S3_ACCESS_KEY_ID,
          secretAccessKey: e.S3_SECRET_ACCESS_KEY,
          forcePathStyle: e.S3_FORCE_PATH_STYLE ?? Boolean(e.S3_ENDPOINT),
        }
      : { kind: 'local', root: path.join(dataDir, 'objects') },
    jobs: { concurrency: e.JOBS_CONCURRENCY ?? 2, pollIntervalMs: e.JOBS_POLL_INTERVAL_MS ?? 500 },
    keysDir: path.join(dataDir, 'keys'),
    auth: {
      accessTokenTtlSeconds: e.AUTH_ACCESS_TOKEN_TTL_SECONDS ?? 600,
      refreshTokenTtlSeconds: e.AUTH_REFRESH_TOKEN_TTL_SECONDS ?? 12 * 3600,
      loginMaxFailures: e.AUTH_LOGIN_MAX_FAILURES ?? 5,
      lockoutSeconds: e.AUTH_LOCKOUT_SECONDS ?? 900,
      loginMaxFailuresPerIp: e.AUTH_LOGIN_MAX_FAILURES_PER_IP ?? 100,
      requestsPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE ?? 1200,
      signingKeyRotationDays: e.AUTH_SIGNING_KEY_ROTATION_DAYS ?? 30,
    },
    audit: {
      // HIPAA keeps documentation 6 years; shorter retention is refused at load time.
      retentionDays: e.AUDIT_RETENTION_DAYS ?? 6 * 365 + 2,
      checkpointEveryEntries: e.AUDIT_CHECKPOINT_EVERY ?? 10_000,
      checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS ?? 60_000,
      verifyIntervalMs: e.AUDIT_VERIFY_INTERVAL_MS ?? 3_600_000,
      groupCommitMaxDelayMs: e.AUDIT_GROUP_COMMIT_DELAY_MS ?? 1,
      groupCommitMaxBatch: e.AUDIT_GROUP_COMMIT_MAX_BATCH ?? 1_000,
    },
    // Break-glass is always time-boxed: a default window and a ceiling no request can exceed.
    breakGlass: {
      defaultMinutes: Math.min(e.BREAK_GLASS_MINUTES ?? 60, e.BREAK_GLASS_MAX_MINUTES ?? 240),
      maxMinutes: e.BREAK_GLASS_MAX_MINUTES ?? 240,
    },
    log: { level: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'warn' : 'info'), pretty: e.LOG_PRETTY ?? false },
    seedDemoOnEmpty: e.CAREBASE_SEED_DEMO ?? true,
    shutdownGraceMs: e.CAREBASE_SHUTDOWN_GRACE_MS ?? 10_000,
  };
}

function sameDatabase(a: string, b: string): boolean {
  const ua = new URL(a);
  const ub = new URL(b);
  return ua.host === ub.host && ua.pathname === ub.pathname;
}

/** The process entry points' way in: the only read of `process.env` in the code base. */
export function loadConfigFromProcess(): Config {
  return loadConfig(process.env);
}
