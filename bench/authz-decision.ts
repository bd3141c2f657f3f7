/**
 * Authorization cost (SPEC §3, §7): Cedar decision latency uncached and cached, and the end-to-end cost of
 * the policy layer on a record read (records service with the Cedar policy vs. an allow-all policy, same
 * run, same data, RLS and audit in both). Embedded mode, demo data set.
 *
 *   node --import tsx bench/authz-decision.ts [--decisions 20000] [--reads 400]
 *
 * Goals: uncached decision p99 < 1 ms, cached < 50 µs. Prints figures; asserts nothing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openRuntime } from '../src/app/index.ts';
import { loadConfig } from '../src/config/index.ts';
import {
  createAccessPolicy,
  projectStoredResources,
  type AccessPolicy,
  type ResourceFacts,
} from '../src/modules/authz/index.ts';
import { decideOne } from '../src/modules/authz/decision.ts';
import { createLocalDataKeyRing } from '../src/modules/keys/index.ts';
import { createRecordsService } from '../src/modules/records/index.ts';
import { seedSyntheticData, type DemoCredentials } from '../src/modules/synthetic/index.ts';
import { systemContext, userContext } from '../src/platform/context/index.ts';
import { inCallerTransaction } from '../src/platform/db/index.ts';
import { createLogger } from '../src/platform/logging/index.ts';

const { values } = parseArgs({
  options: { decisions: { type: 'string', default: '20000' }, reads: { type: 'string', default: '400' } },
});
const decisionCount = Number(values.decisions);
const readCount = Number(values.reads);

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}
const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
function report(name: string, samples: number[]) {
  const { p50, p99 } = percentiles(samples);
  process.stdout.write(
    `${name.padEnd(58)} p50 ${us(p50).padStart(10)}  p99 ${us(p99).padStart(10)}  (n=${samples.length})\n`,
  );
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'carebase-bench-authz-'));
const config = loadConfig({ CAREBASE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const runtime = await openRuntime(config, createLogger(config));
try {
  const seeded = await seedSyntheticData(runtime.records, { demo: true, dataDir, patients: 4 });
  const credentials = JSON.parse(await readFile(seeded.credentialsFile!, 'utf8')) as DemoCredentials;
  const policy = await createAccessPolicy({ database: runtime.records, cache: runtime.cache });
  await projectStoredResources(runtime.records, policy);
  const alice = credentials.patients[0]!.id;
  const rows = await inCallerTransaction(
    runtime.records,
    systemContext('bench'),
    async (trx) =>
      (
        await sql<{
          resource_type: string;
          id: string;
          institution_id: string;
          category: string;
          security: string[];
        }>`
      select resource_type, id, institution_id, category, security from resource where patient_id = ${alice} order by id`.execute(
          trx,
        )
      ).rows,
  );
  const facts: ResourceFacts[] = rows.map((r) => ({
    resourceType: r.resource_type,
    id: r.id,
    patientId: alice,
    institutionId: r.institution_id,
    category: r.category,
    security: r.security,
  }));
  const physician = credentials.users.find((u) => u.username === 'physician@northwind')!;
  const ctxFor = (subject: string) =>
    userContext({
      requestId: 'bench',
      subject,
      roles: physician.roles,
      institution: physician.institution,
      practitionerId: physician.practitionerId,
      purpose: 'TREAT',
    });
  process.stdout.write(
    `policy ${policy.policyVersion}, ${facts.length} resources of one patient, Node ${process.version}, ${os.cpus()[0]?.model ?? '?'}\n`,
  );

  // Warm-up: JIT, wasm, patient state.
  for (let i = 0; i < 2000; i++) await policy.decide(ctxFor(`warm${i}`), 'read', facts[i % facts.length]!);

  const baseline: number[] = [];
  for (let i = 0; i < decisionCount; i++) {
    const t = performance.now();
    JSON.stringify(facts[i % facts.length]);
    baseline.push(performance.now() - t);
  }
  report('baseline: JSON.stringify of the facts (same loop)', baseline);

  // The engine alone: one Cedar evaluation over a prepared per-patient view (no cache, no I/O).
  const view = await policy.viewFor(ctxFor('engine'), alice);
  const engine: number[] = [];
  for (let i = 0; i < decisionCount; i++) {
    const ctx = ctxFor(`engine${i}`);
    const t = performance.now();
    decideOne(policy.policySet, ctx, 'read', facts[i % facts.length]!, view);
    engine.push(performance.now() - t);
  }
  report('Cedar evaluation only (decideOne, prepared view)', engine);

  // A new subject each time: the decision cache misses, patient state is the per-epoch cached one.
  const uncached: number[] = [];
  for (let i = 0; i < decisionCount; i++) {
    const ctx = ctxFor(`miss${i}`);
    const t = performance.now();
    await policy.decide(ctx, 'read', facts[i % facts.length]!);
    uncached.push(performance.now() - t);
  }
  report('uncached decision (Cedar evaluation + epoch check)', uncached);

  const hot = ctxFor('hot');
  for (const f of facts) await policy.decide(hot, 'read', f);
  const cached: number[] = [];
  for (let i = 0; i < decisionCount; i++) {
    const t = performance.now();
    await policy.decide(hot, 'read', facts[i % facts.length]!);
    cached.push(performance.now() - t);
  }
  report('cached decision (same principal, same epoch)', cached);

  const batch: number[] = [];
  for (let i = 0; i < 200; i++) {
    const ctx = ctxFor(`batch${i}`);
    const t = performance.now();
    await policy.decideMany(ctx, 'search', facts);
    batch.push((performance.now() - t) / facts.length);
  }
  report(`decideMany over ${facts.length} search results, per result`, batch);

  const allowAll: AccessPolicy = {
    decide: async () => ({ allow: true, policyIds: ['bench-allow'], reason: 'bench', disclose: true }),
    decideMany: async (_c, _a, r) =>
      r.map(() => ({ allow: true, policyIds: ['bench-allow'], reason: 'bench', disclose: true })),
    projectWrite: async () => {},
  };
  const keys = createLocalDataKeyRing(config.keysDir);
  const observation = rows.find((r) => r.resource_type === 'Observation')!;
  for (const [name, p] of [
    ['record read without the policy layer (allow-all, RLS + audit)', allowAll],
    ['record read with the Cedar policy layer', policy],
  ] as const) {
    const service = createRecordsService({
      database: runtime.records,
      policy: p,
      audit: runtime.auditLog,
      keys,
    });
    const session = service.session(ctxFor('reader'));
    for (let i = 0; i < 50; i++) await session.read('Observation', observation.id);
    const samples: number[] = [];
    for (let i = 0; i < readCount; i++) {
      const t = performance.now();
      await session.read('Observation', observation.id);
      samples.push(performance.now() - t);
    }
    report(name, samples);
  }
  await policy.close();
} finally {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
}
