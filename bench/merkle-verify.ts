/**
 * Recomputing the audit ledger's Merkle root over 1,000,000 entries of 400 bytes (SPEC §7: "verify 1 M
 * entries < 5 s"), beside a baseline measured in the same run: raw SHA-256 of the same entries, no tree.
 *
 *   node --import tsx bench/merkle-verify.ts [--entries 1000000] [--entry-bytes 400] [--runs 3]
 *
 * Reports the median of the runs; it does not assert timings.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  CompactMerkleTree,
  MemoryNodeStore,
  inclusionProof,
  leafHash,
  rootFromLeafHashes,
  verifyInclusion,
} from '../src/modules/audit/merkle/index.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    'entry-bytes': { type: 'string', default: '400' },
    runs: { type: 'string', default: '3' },
  },
});
const entryCount = Number(values.entries);
const entryBytes = Number(values['entry-bytes']);
const runs = Number(values.runs);

// One buffer of random bytes viewed as entries, so allocation is not part of any measurement.
const log = Buffer.allocUnsafe(entryCount * entryBytes);
for (let offset = 0; offset < log.length; offset += 1 << 28) {
  crypto.randomFillSync(log, offset, Math.min(1 << 28, log.length - offset));
}
const entries = Array.from({ length: entryCount }, (_, i) =>
  log.subarray(i * entryBytes, (i + 1) * entryBytes),
);

interface Scenario {
  name: string;
  run: () => Uint8Array | undefined;
}

let precomputedLeaves: Uint8Array[] = [];
let store = new MemoryNodeStore();

const scenarios: Scenario[] = [
  {
    name: 'baseline: raw SHA-256 of each entry, no tree',
    run: () => {
      for (const entry of entries) crypto.hash('sha256', entry, 'buffer');
      return undefined;
    },
  },
  {
    name: 'root: leaf-hash every entry + fold (CompactMerkleTree)',
    run: () => {
      const tree = new CompactMerkleTree();
      for (const entry of entries) tree.appendEntry(entry);
      return tree.root();
    },
  },
  {
    name: 'root + record every node (MemoryNodeStore, for proofs)',
    run: () => {
      store = new MemoryNodeStore();
      const tree = new CompactMerkleTree({ onNode: store.record });
      for (const entry of entries) tree.appendEntry(entry);
      return tree.root();
    },
  },
  {
    name: 'fold only: root from precomputed leaf hashes',
    run: () => rootFromLeafHashes(precomputedLeaves),
  },
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// Warm up the JIT and the hash paths on a slice of the log.
for (const entry of entries.slice(0, 20_000)) leafHash(entry);
precomputedLeaves = entries.map(leafHash);

const results = scenarios.map((scenario) => {
  const samples: number[] = [];
  const roots = new Set<string>();
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const root = scenario.run();
    samples.push(performance.now() - start);
    if (root) roots.add(Buffer.from(root).toString('hex'));
  }
  return { name: scenario.name, ms: median(samples), roots };
});

const baselineMs = results[0]!.ms;
const rows = results.map((r) => ({
  scenario: r.name,
  'total (ms)': r.ms.toFixed(0),
  'µs / entry': ((r.ms * 1000) / entryCount).toFixed(2),
  'entries / s': Math.round(entryCount / (r.ms / 1000)).toLocaleString('en-US'),
  'vs baseline': `${(r.ms / baselineMs).toFixed(2)}×`,
}));

const allRoots = new Set(results.flatMap((r) => [...r.roots]));

// Store-backed proof serving at this size: generate and verify inclusion proofs for random leaves.
const finalRoot = rootFromLeafHashes(precomputedLeaves);
const proofCount = 2000;
const proofStart = performance.now();
let verified = 0;
for (let i = 0; i < proofCount; i++) {
  const index = crypto.randomInt(entryCount);
  const proof = await inclusionProof(index, entryCount, store);
  if (verifyInclusion(precomputedLeaves[index]!, index, entryCount, proof, finalRoot)) verified += 1;
}
const proofUs = ((performance.now() - proofStart) * 1000) / proofCount;

console.log(
  `Merkle root over ${entryCount.toLocaleString('en-US')} entries of ${entryBytes} bytes — median of ${runs} runs` +
    ` — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores)`,
);
console.table(rows);
console.log(
  `All tree scenarios agree on the root: ${allRoots.size === 1 ? 'yes' : 'NO'} (${[...allRoots].join(', ')})`,
);
console.log(
  `Inclusion proofs from the node store at size ${entryCount.toLocaleString('en-US')}: generate + verify ` +
    `${proofUs.toFixed(1)} µs each (${verified}/${proofCount} verified)`,
);
