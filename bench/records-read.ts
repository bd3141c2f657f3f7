/**
 * FHIR read and search cost with authorization (Cedar policy), audit (the Merkle ledger) and per-patient
 * decryption on, beside a bare baseline measured in the same run: the same Fastify + PostgreSQL
 * primary-key read with none of them. PostgreSQL, Redis and NATS on 127.0.0.1 (the production backend).
 *
 *   node --import tsx bench/records-read.ts [--patients 30] [--seconds 3] [--rate 1000]
 *   (about 1,000,000 resources: --patients 11000)
 *
 * Closed loop at 50 and 200 concurrent clients gives maximum throughput; an open loop at a fixed offered
 * rate gives p50/p99 latency measured from each request's scheduled start (no coordinated omission).
 * The load generator runs in a worker thread. Reports figures; asserts nothing.
 */
import type http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

interface LoadJob {
  port: number;
  paths: string[];
  headers: Record<string, string>[];
  mode: 'closed' | 'open';
  concurrency: number;
  rate: number;
  seconds: number;
}
interface LoadResult {
  done: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

/**
 * The load generator, as plain JavaScript evaluated in a worker thread (workers do not inherit the tsx
 * loader). `closed`: `concurrency` clients back to back; `open`: requests started at a fixed rate whatever
 * the responses do, latency counted from each scheduled start.
 */
const generatorSource = `
const http = require('node:http');
const { parentPort, workerData: job } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(job.concurrency, 256) });
const latencies = [];
let errors = 0;
let n = 0;
const one = (scheduled) => new Promise((resolve) => {
  const i = n++;
  const req = http.get({ port: job.port, host: '127.0.0.1', path: job.paths[i % job.paths.length],
    headers: job.headers[i % job.headers.length], agent }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode !== 200) errors++;
      latencies.push(performance.now() - scheduled);
      resolve();
    });
  });
  req.on('error', () => { errors++; resolve(); });
});
(async () => {
  const started = performance.now();
  const end = started + job.seconds * 1000;
  if (job.mode === 'closed') {
    await Promise.all(Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < end) await one(performance.now());
    }));
  } else {
    const pending = [];
    const total = Math.floor(job.rate * job.seconds);
    for (let i = 0; i < total; i++) {
      const at = started + (i * 1000) / job.rate;
      const wait = at - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(at));
    }
    await Promise.all(pending);
  }
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  parentPort.postMessage({ done: latencies.length, errors, seconds, p50: pct(0.5), p99: pct(0.99) });
})();
`;

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(generatorSource, { eval: true, workerData: job });
    worker.once('message', (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

await main();

async function main() {
  const { values } = parseArgs({
    options: {
      patients: { type: 'string', default: '30' },
      seconds: { type: 'string', default: '3' },
      rate: { type: 'string', default: '1000' },
    },
  });
  const patients = Number(values.patients);
  const seconds = Number(values.seconds);
  const rate = Number(values.rate);

  const { default: Fastify } = await import('fastify');
  const { default: pg } = await import('pg');
  const { buildApp } = await import('../src/app/index.ts');
  const { createAccessPolicy } = await import('../src/modules/authz/index.ts');
  const { createLocalDataKeyRing } = await import('../src/modules/keys/index.ts');
  const { seedSyntheticData } = await import('../src/modules/synthetic/index.ts');
  const { userContext } = await import('../src/platform/context/index.ts');
  const { backends, openTestRuntime } = await import('../test/support/runtime.ts');

  const t = await openTestRuntime(backends[1], 'bench_records', { LOG_LEVEL: 'error' });
  const policy = await createAccessPolicy({ database: t.runtime.records, cache: t.runtime.cache });
  const seededAt = performance.now();
  const seeded = await seedSyntheticData(t.runtime.records, {
    seed: 7,
    patients,
    institutions: 2,
    batchSize: 50,
    records: { keys: createLocalDataKeyRing(t.config.keysDir), policy },
  });
  process.stderr.write(
    `seeded ${seeded.stored.resources} resources (${patients} patients) in ${((performance.now() - seededAt) / 1000).toFixed(1)} s\n`,
  );

  // Owner connection: reads below RLS, for choosing targets and for the bare baseline.
  const pool = new pg.Pool({ connectionString: t.records!.ownerUrl, max: 20 });
  const { rows: targets } = await pool.query<{
    resource_type: string;
    id: string;
    patient_id: string;
    institution_id: string;
  }>(
    `select resource_type, id, patient_id, institution_id from resource
     where patient_id is not null and resource_type in ('Observation','Condition','MedicationRequest','Encounter','Patient')
     order by md5(id) limit 2000`,
  );

  const bare = Fastify({ logger: false });
  bare.get<{ Params: { type: string; id: string } }>('/r/:type/:id', async (request) => {
    const { rows } = await pool.query('select * from resource where resource_type = $1 and id = $2', [
      request.params.type,
      request.params.id,
    ]);
    return rows[0];
  });
  await bare.listen({ port: 0, host: '127.0.0.1' });

  // Patients reading their own record: the policy, RLS, audit and decryption all run; the token check is
  // the identity module's (benchmarked in bench/auth-cost.ts) and is replaced by a fixed context here.
  const app = await buildApp(t.runtime, {
    accessPolicy: policy,
    enforceAccess: async (request) => {
      const patient = String(request.headers['x-bench-patient']);
      return userContext({
        requestId: request.id,
        subject: `patient-${patient}`,
        roles: ['patient'],
        patientId: patient,
        institution: String(request.headers['x-bench-institution']),
        scopes: ['patient/*.rs'],
      });
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (server: { server: http.Server }) => (server.server.address() as { port: number }).port;

  const headers = targets.map((r) => ({
    'x-bench-patient': r.patient_id,
    'x-bench-institution': r.institution_id,
  }));
  const check = await app.inject({
    method: 'GET',
    url: `/fhir/R4/${targets[0]!.resource_type}/${targets[0]!.id}`,
    headers: headers[0],
  });
  if (check.statusCode !== 200) throw new Error(`authorized read failed: ${check.statusCode} ${check.body}`);

  const scenarios = [
    {
      name: 'baseline: bare Fastify + pg PK read',
      port: port(bare),
      paths: targets.map((r) => `/r/${r.resource_type}/${r.id}`),
    },
    {
      name: 'FHIR read (authz + RLS + audit + decrypt)',
      port: port(app),
      paths: targets.map((r) => `/fhir/R4/${r.resource_type}/${r.id}`),
    },
    {
      name: 'FHIR search Observation?patient&_count=10',
      port: port(app),
      paths: targets.map((r) => `/fhir/R4/Observation?patient=${r.patient_id}&_count=10`),
    },
  ];
  process.stderr.write(
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${seconds} s per run\n`,
  );
  process.stdout.write(
    `${'scenario'.padEnd(44)} ${'c=50 req/s'.padStart(11)} ${'c=200 req/s'.padStart(12)} ${`p50@${rate}/s`.padStart(11)} ${`p99@${rate}/s`.padStart(11)} errors\n`,
  );
  for (const s of scenarios) {
    const job = {
      port: s.port,
      paths: s.paths,
      headers,
      seconds,
      rate,
      concurrency: 50,
      mode: 'closed' as const,
    };
    await runLoad({ ...job, seconds: 1 }); // warm-up: connections, policy and key caches, JIT
    const c50 = await runLoad(job);
    const c200 = await runLoad({ ...job, concurrency: 200 });
    const open = await runLoad({ ...job, mode: 'open' });
    const errors = c50.errors + c200.errors + open.errors;
    process.stdout.write(
      `${s.name.padEnd(44)} ${(c50.done / c50.seconds).toFixed(0).padStart(11)} ${(c200.done / c200.seconds).toFixed(0).padStart(12)} ` +
        `${open.p50.toFixed(1).padStart(9)}ms ${open.p99.toFixed(1).padStart(9)}ms ${errors}\n`,
    );
  }
  await app.close();
  await bare.close();
  await pool.end();
  await policy.close();
  await t.cleanup();
}
