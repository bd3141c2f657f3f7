/** The validated configuration. Each backend is a tagged union: the code path is chosen here, once. */
export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'postgres'; url: string; ownerUrl: string | undefined; poolSize: number };

export type CacheConfig = { kind: 'memory' } | { kind: 'redis'; url: string };
export type BusConfig = { kind: 'memory' } | { kind: 'nats'; url: string };
export type StorageConfig =
  | { kind: 'local'; root: string }
  | {
      kind: 's3';
      bucket: string;
      region: string;
      endpoint: string | undefined;
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
      forcePathStyle: boolean;
    };

export interface Config {
  /** `production` whenever the records database is PostgreSQL; stricter start-up checks apply. */
  mode: 'embedded' | 'production';
  dataDir: string;
  http: { host: string; port: number; publicUrl: string; bodyLimitBytes: number; trustProxy: boolean };
  db: DatabaseConfig;
  auditDb: DatabaseConfig;
  cache: CacheConfig;
  bus: BusConfig;
  storage: StorageConfig;
  jobs: { concurrency: number; pollIntervalMs: number };
  /** Local secrets (key-encryption key, signing keys) live here in embedded mode. */
  keysDir: string;
  auth: {
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** Failed sign-ins for one username before it is locked for `lockoutSeconds`. */
    loginMaxFailures: number;
    lockoutSeconds: number;
    /** Failed sign-ins from one IP address within `lockoutSeconds` before that address is refused. */
    loginMaxFailuresPerIp: number;
    /** Authenticated requests per subject per minute (edge rate limit). */
    requestsPerMinute: number;
    /** Age at which the access-token signing key is replaced (the old one stays published until its tokens expire). */
    signingKeyRotationDays: number;
  };
  /** The audit ledger (SPEC §4): retention, checkpoint cadence, scheduled verification, group commit. */
  audit: {
    retentionDays: number;
    checkpointEveryEntries: number;
    checkpointIntervalMs: number;
    verifyIntervalMs: number;
    groupCommitMaxDelayMs: number;
    groupCommitMaxBatch: number;
  };
  /** Break-glass grants (SPEC §2): default and maximum window in minutes; never open-ended. */
  breakGlass: { defaultMinutes: number; maxMinutes: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; pretty: boolean };
  /** Seed the demo data set when the records database is empty (`carebase start`). */
  seedDemoOnEmpty: boolean;
  shutdownGraceMs: number;
}
