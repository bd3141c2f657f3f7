import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildApp, openRuntime } from '../../src/app/index.ts';
import { loadConfig, type Env } from '../../src/config/index.ts';
import { createLogger } from '../../src/platform/logging/index.ts';
import { seedDemoIfEmpty } from '../../src/cli/commands/seed.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const webDir = path.join(repositoryRoot, 'web');
export const webDistDir = path.join(webDir, 'dist');

/** One demo login of `demo-credentials.json` (SPEC §2). */
export interface DemoLogin {
  username: string;
  name: string;
  password: string;
  totpSecret?: string;
  roles: string[];
  institution: string;
  practitionerId?: string;
  patientId?: string;
}

export interface DemoCredentials {
  users: DemoLogin[];
  patients: { id: string; institution: string; name: string; careTeam: string[] }[];
}

export interface ServerUnderTest {
  /** e.g. `http://127.0.0.1:41234`, no trailing slash. */
  baseUrl: string;
  /** The demo data set's logins, as `carebase start` writes them. */
  credentials: DemoCredentials;
  close(): Promise<void>;
}

/**
 * The real application, as `carebase start` runs it in embedded mode (PGlite, in-process cache and bus,
 * local files) with the demo data set, on a random 127.0.0.1 port and a fresh temporary data directory.
 */
export async function startServerUnderTest(extraEnv: Env = {}): Promise<ServerUnderTest> {
  await ensureWebBuild();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'carebase-e2e-'));
  const config = loadConfig({ CAREBASE_DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...extraEnv });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  const runtime = await openRuntime(config, createLogger(config, discard));
  try {
    // Exactly what `carebase start` does on an empty data directory.
    await seedDemoIfEmpty(runtime);
    const credentials = JSON.parse(
      await readFile(path.join(dataDir, 'demo-credentials.json'), 'utf8'),
    ) as DemoCredentials;
    const app = await buildApp(runtime, { webDistDir });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      credentials,
      close: async () => {
        await app.close();
        await runtime.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Builds `web/dist` when it is missing or older than any source of the web app. */
export async function ensureWebBuild(): Promise<void> {
  const builtIndex = path.join(webDistDir, 'index.html');
  if (existsSync(builtIndex)) {
    const builtAt = (await stat(builtIndex)).mtimeMs;
    const sources = [
      path.join(webDir, 'index.html'),
      path.join(webDir, 'vite.config.ts'),
      ...(await filesUnder(path.join(webDir, 'src'))),
    ];
    const newestSource = Math.max(
      ...(await Promise.all(sources.map(async (file) => (await stat(file)).mtimeMs))),
    );
    if (newestSource <= builtAt) return;
  }
  try {
    await promisify(execFile)('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], {
      cwd: repositoryRoot,
      // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 120_000,
    });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `Building the web app failed (npx vite build --config web/vite.config.ts):\n${stderr ?? ''}${stdout ?? ''}`,
      { cause: error },
    );
  }
}

async function filesUnder(directory: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}
