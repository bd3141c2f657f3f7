import { Command, InvalidArgumentError } from 'commander';
import { auditVerifyCommand, type AuditVerifyOptions } from './commands/audit-verify.ts';
import { keysRotateCommand } from './commands/keys-rotate.ts';
import { keysShredCommand } from './commands/keys-shred.ts';
import { migrateCommand } from './commands/migrate.ts';
import { seedCommand, type SeedOptions } from './commands/seed.ts';
import { startCommand } from './commands/start.ts';
import { workerCommand } from './commands/worker.ts';
import { runCommand } from './context.ts';

const environmentHelp = `
Environment (all optional; invalid values stop the process naming each variable):
  PORT, HOST                 where to listen (default 8080 on 127.0.0.1)
  PUBLIC_URL                 the URL users reach (default http://HOST:PORT)
  CAREBASE_DATA_DIR          embedded databases, local objects, keys, demo credentials (default ./data)
  DATABASE_URL               PostgreSQL for records; absent = embedded PGlite (production mode when set)
  DATABASE_OWNER_URL         PostgreSQL role that owns the schema and runs migrations
  AUDIT_DATABASE_URL         PostgreSQL database for the audit ledger (separate from records)
  AUDIT_DATABASE_OWNER_URL   PostgreSQL role that owns the ledger schema and runs its migrations
  REDIS_URL                  Redis for the decision cache and invalidation (default in-process)
  NATS_URL                   NATS JetStream for events (default in-process)
  S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY
                             S3-compatible object storage (default local files)
  LOG_LEVEL, LOG_PRETTY      structured JSON logs (default info)
  AUDIT_RETENTION_DAYS       audit ledger retention, at least 6 years (default 2192 days); nothing is deleted before
  AUDIT_CHECKPOINT_EVERY, AUDIT_CHECKPOINT_INTERVAL_MS
                             signed checkpoint after N entries (10000) and on a schedule (60000 ms)
  AUDIT_VERIFY_INTERVAL_MS   scheduled full ledger verification in the worker (default 3600000; 0 = off)
`;

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 0)
    throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

const program = new Command('carebase')
  .description(
    'Carebase: FHIR records with defense-in-depth access control, a tamper-evident audit ledger, and educational video.',
  )
  .showHelpAfterError()
  .addHelpText('after', environmentHelp);

program
  .command('start')
  .description(
    'run the API, the job worker and the web UI in one process; loads demo data on an empty data directory',
  )
  .option('--no-seed', 'do not load the demo data set on an empty database')
  .action((options: { seed: boolean }) => runCommand(() => startCommand(options)));

program
  .command('worker')
  .description(
    'run background jobs only (transcoding, scheduled verification); scale separately from the API',
  )
  .action(() => runCommand(workerCommand));

program
  .command('migrate')
  .description('bring the records and audit databases to the latest schema, then exit')
  .action(() => runCommand(migrateCommand));

program
  .command('seed')
  .description(
    'generate deterministic synthetic institutions, staff, patients and records; safe to interrupt and re-run',
  )
  .option('--demo', 'also load the demo users and write demo-credentials.json', false)
  .option('--patients <n>', 'number of synthetic patients', positiveInt, 100)
  .option('--institutions <m>', 'number of institutions', positiveInt, 2)
  .option('--seed <value>', 'seed value: the same value always generates the same data', 'carebase')
  .option(
    '--batch-size <n>',
    'patients per committed batch (an interrupted run resumes from the last one)',
    positiveInt,
    100,
  )
  .addHelpText('after', '\nExample: carebase seed --patients 100000 --institutions 10')
  .action((options: SeedOptions) => runCommand(() => seedCommand(options)));

program
  .command('audit')
  .description('audit ledger tools')
  .command('verify')
  .description(
    'recompute the audit ledger Merkle tree, check every signed checkpoint, and name any failing entry or checkpoint (exit 1)',
  )
  .option('--key <verifier>', "checkpoint verifier key (string or file); default: this deployment's key")
  .option('--json', 'print the full report as JSON', false)
  .action((options: AuditVerifyOptions) => runCommand(() => auditVerifyCommand(options)));

const keys = program.command('keys').description('key-encryption keys and patient data keys');
keys
  .command('rotate')
  .description('create a new key-encryption key per institution and re-wrap every data key under it (online)')
  .option('--no-new-kek', 're-wrap under the current key-encryption key without creating a new one')
  .action((options: { newKek: boolean }) => runCommand(() => keysRotateCommand(options)));
keys
  .command('shred')
  .description(
    'crypto-shred a patient: destroy their data key so every version of their records is unreadable',
  )
  .argument('<patientId>', 'the Patient id')
  .option('--yes', 'confirm the irreversible erasure', false)
  .action((patientId: string, options: { yes: boolean }) =>
    runCommand(() => keysShredCommand(patientId, options)),
  );

await program.parseAsync(process.argv);
