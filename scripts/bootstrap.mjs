#!/usr/bin/env node
// Makes a fresh clone runnable: npm dependencies, the Debian packages Carebase needs, the built web app.
// Plain Node with no dependencies, because it runs before `npm ci`. Usage: node scripts/bootstrap.mjs start|test
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv[2] === 'test' ? 'test' : 'start';
const say = (message) => process.stderr.write(`[setup] ${message}\n`);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    say(`failed: ${command} ${args.join(' ')}`);
    process.exit(result.status ?? 1);
  }
}

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(target).map((name) => newestMtime(path.join(target, name))));
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  say(`Node.js ${process.versions.node} is too old: Carebase needs Node.js 20 or newer.`);
  process.exit(1);
}

// 1. npm dependencies, reinstalled whenever the lockfile changed.
const installedLock = path.join(root, 'node_modules', '.package-lock.json');
if (newestMtime(installedLock) < newestMtime(path.join(root, 'package-lock.json'))) {
  say('installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// 2. System tools: ffmpeg for video (with its PocketSphinx English model for automatic captions);
// Chromium for the browser tests.
const commands = {
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffmpeg',
  ...(purpose === 'test' ? { chromium: 'chromium' } : {}),
};
const files = { '/usr/share/pocketsphinx/model/en-us/en-us': 'pocketsphinx-en-us' };
const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = [
  ...new Set([
    ...Object.entries(commands)
      .filter(([c]) => !has(c))
      .map(([, pkg]) => pkg),
    ...Object.entries(files)
      .filter(([file]) => !existsSync(file))
      .map(([, pkg]) => pkg),
  ]),
];
if (missing.length > 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && has('apt-get')) {
    say(`installing Debian packages: ${missing.join(' ')}…`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    const message = `missing system packages: ${missing.join(' ')}. Install them (e.g. \`sudo apt-get install ${missing.join(' ')}\`) and run again.`;
    if (purpose === 'test') {
      say(message);
      process.exit(1);
    }
    say(
      `${message} Video processing (or, without the speech model, automatic captions) is unavailable until then.`,
    );
  }
}

// 3. The web app, rebuilt when its sources are newer than the build.
const sources = ['web/src', 'web/index.html', 'web/vite.config.ts'].map((p) =>
  newestMtime(path.join(root, p)),
);
if (Math.max(...sources) > newestMtime(path.join(root, 'web/dist/index.html'))) {
  say('building the web app…');
  run(path.join(root, 'node_modules/.bin/vite'), [
    'build',
    '--config',
    'web/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
}
