#!/usr/bin/env node
// Runs one benchmark from bench/ by name (`npm run bench -- seed-throughput`), or lists them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bench');
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stdout.write(
    `Usage: npm run bench -- <name> [options]\nBenchmarks:\n${available.map((b) => `  ${b}`).join('\n')}\n`,
  );
  process.exit(name ? 2 : 0);
}
const { status } = spawnSync(
  process.execPath,
  ['--import', 'tsx', path.join(benchDir, `${name}.ts`), ...args],
  {
    stdio: 'inherit',
  },
);
process.exit(status ?? 1);
