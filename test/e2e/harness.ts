import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Env } from '../../src/config/index.ts';
import { launchBrowser } from '../support/browser.ts';
import { demoLogin } from './sign-in-as.ts';
import { startServerUnderTest, type DemoLogin, type ServerUnderTest } from './server-under-test.ts';

type DemoPatient = ServerUnderTest['credentials']['patients'][number];

export interface E2eHarness {
  server: ServerUnderTest;
  browser: Browser;
  /** A demo user's credentials by username. */
  login(username: string): DemoLogin;
  /** A demo patient by display name. */
  patient(name: string): DemoPatient;
}

/** One real server (demo data) and one Chromium per test file, started before its tests, closed after. */
export function useServerAndBrowser(extraEnv: Env = {}): E2eHarness {
  const harness: E2eHarness = {
    login: (username) => demoLogin(harness.server.credentials.users, username),
    patient: (name) => {
      const found = harness.server.credentials.patients.find((candidate) => candidate.name === name);
      if (!found) throw new Error(`No demo patient ${name}`);
      return found;
    },
  } as E2eHarness;
  beforeAll(async () => {
    harness.server = await startServerUnderTest(extraEnv);
    harness.browser = await launchBrowser();
  });
  afterAll(async () => {
    await harness.browser?.close();
    await harness.server?.close();
  });
  return harness;
}
