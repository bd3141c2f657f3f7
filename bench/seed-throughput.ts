/**
 * Seeding throughput (SPEC §7: "1 M+ resources seeded"): N synthetic patients through the real seeding path
 * (RLS-governed caller transactions, batched multi-row inserts, resource + history) on PGlite in memory and on
 * the machine's PostgreSQL (a fresh database, seeded as an app role without BYPASSRLS), beside a baseline
 * measured in the same run: generating and classifying the same patients without any database.
 *
 *   node --import tsx bench/seed-throughput.ts [--patients 500] [--batch 100] [--institutions 4]
 *
 * Reports figures; it does not assert timings.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { identityMigrations } from '../src/modules/identity/index.ts';
import { deriveCategory, deriveSecurityLabels } from '../src/modules/records/index.ts';
import { recordsMigrations } from '../src/modules/records/index.ts';
import {
  buildGeneratedWorld,
  defaultReferenceDate,
  generatePatient,
  seedSyntheticData,
} from '../src/modules/synthetic/index.ts';
import {
  grantAppRoleTo,
  migrateToLatest,
  openDatabase,
  openPGlite,
  type Database,
} from '../src/platform/db/index.ts';
import { createTestPostgres } from '../test/support/postgres.ts';

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '500' },
    batch: { type: 'string', default: '100' },
    institutions: { type: 'string', default: '4' },
  },
});
const patients = Number(values.patients);
const batchSize = Number(values.batch);
const institutions = Number(values.institutions);
const seed = 1;
const migrations = { ...recordsMigrations, ...identityMigrations };

interface Row {
  name: string;
  resources: number;
  seconds: number;
}

function generationOnly(): Row {
  const world = buildGeneratedWorld(seed, institutions, defaultReferenceDate);
  const started = performance.now();
  let resources = 0;
  for (let i = 0; i < patients; i++) {
    for (const resource of generatePatient(world, i).resources) {
      deriveCategory(resource);
      deriveSecurityLabels(resource);
      JSON.stringify(resource);
      resources++;
    }
  }
  return {
    name: 'baseline: generate + classify + serialize, no database',
    resources,
    seconds: (performance.now() - started) / 1000,
  };
}

async function seedInto(name: string, database: Database<unknown>): Promise<Row> {
  const started = performance.now();
  let last = 0;
  const result = await seedSyntheticData(database, {
    seed,
    patients,
    institutions,
    batchSize,
    onProgress: (done, total) => {
      if (done - last >= total / 10 || done === total) {
        last = done;
        process.stderr.write(`  ${name}: ${done}/${total} patients\n`);
      }
    },
  });
  return { name, resources: result.resources, seconds: (performance.now() - started) / 1000 };
}

async function pglite(): Promise<Row> {
  const instance = await openPGlite('memory://');
  const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' }, { pglite: instance });
  try {
    await migrateToLatest(database.db, migrations);
    return await seedInto('PGlite (memory)', database);
  } finally {
    await database.close();
    await instance.close();
  }
}

async function postgres(): Promise<Row> {
  const test = await createTestPostgres('bench_seed');
  const owner = await openDatabase({
    kind: 'postgres',
    url: test.ownerUrl,
    ownerUrl: undefined,
    poolSize: 1,
  });
  const app = await openDatabase({ kind: 'postgres', url: test.appUrl, ownerUrl: undefined, poolSize: 2 });
  try {
    await migrateToLatest(owner.db, migrations);
    await grantAppRoleTo(owner.db, test.appRole);
    return await seedInto('PostgreSQL (app role, RLS)', app);
  } finally {
    await app.close();
    await owner.close();
    await test.drop();
  }
}

process.stderr.write(
  `seed throughput: ${patients} patients, ${institutions} institutions, ${batchSize} patients per transaction, ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})\n`,
);
const rows = [generationOnly(), await pglite(), await postgres()];
const width = Math.max(...rows.map((r) => r.name.length));
process.stdout.write(
  `${'scenario'.padEnd(width)}  ${'resources'.padStart(10)}  ${'seconds'.padStart(8)}  ${'resources/s'.padStart(11)}  ${'patients/s'.padStart(10)}\n`,
);
for (const row of rows) {
  process.stdout.write(
    `${row.name.padEnd(width)}  ${String(row.resources).padStart(10)}  ${row.seconds.toFixed(2).padStart(8)}  ` +
      `${Math.round(row.resources / row.seconds)
        .toString()
        .padStart(11)}  ${Math.round(patients / row.seconds)
        .toString()
        .padStart(10)}\n`,
  );
}
