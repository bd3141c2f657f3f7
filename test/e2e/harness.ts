import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Env } from '../../src/config/index.ts';
import { launchBrowser } from '../support/browser.ts';
import { startServerUnderTest, type ServerUnderTest } from './server-under-test.ts';

export interface E2eHarness {
  server: ServerUnderTest;
  browser: Browser;
}

/** One real server (demo data) and one Chromium per test file, started before its tests, closed after. */
export function useServerAndBrowser(extraEnv: Env = {}): E2eHarness {
  const harness = {} as E2eHarness;
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
