#!/usr/bin/env node
// The whole test suite, in order: static checks, then unit, integration (PGlite and the machine's
// PostgreSQL/Redis/NATS) and browser tests. Stops at the first failing step; prints a summary line.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const results = path.join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const steps = [
  ['lint', bin('eslint'), ['.']],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['typecheck web', bin('tsc'), ['--noEmit', '-p', 'web/tsconfig.json']],
  [
    'dependency cycles',
    bin('madge'),
    ['--circular', '--extensions', 'ts,tsx', '--ts-config', 'tsconfig.json', 'src', 'web/src'],
  ],
  ...['unit', 'integration', 'e2e'].map((project) => [
    `${project} tests`,
    bin('vitest'),
    [
      'run',
      '--project',
      project,
      '--reporter=verbose',
      '--reporter=json',
      `--outputFile.json=${path.join(results, `${project}.json`)}`,
    ],
  ]),
];

let passed = 0;
let failed = 0;
const started = Date.now();
for (const [name, command, args] of steps) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const t0 = Date.now();
  const { status } = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test' },
  });
  const report = name.endsWith('tests') ? readReport(name.split(' ')[0]) : undefined;
  if (report) {
    passed += report.numPassedTests;
    failed += report.numFailedTests;
  }
  process.stdout.write(
    `--- ${name}: ${status === 0 ? 'ok' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
  );
  if (status !== 0) {
    summary();
    process.exit(status ?? 1);
  }
}
summary();

function readReport(project) {
  try {
    return JSON.parse(readFileSync(path.join(results, `${project}.json`), 'utf8'));
  } catch {
    return undefined;
  }
}

function summary() {
  process.stdout.write(
    `\nAll steps took ${((Date.now() - started) / 1000).toFixed(0)} s\nTests: ${passed} passed, ${failed} failed\n`,
  );
}
