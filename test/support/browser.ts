import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Chromium from the OS package manager (Debian `chromium`); Playwright's own downloads are not used. */
export const chromiumPath = '/usr/bin/chromium';

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export type ViewportName = keyof typeof viewports;

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = path.join(repositoryRoot, 'test-results', 'screenshots');

/**
 * Headless Chromium for end-to-end tests. Each launch gets a fresh temporary profile (user-data dir),
 * created and removed by Playwright, so no state leaks between runs. Fails, never skips, without Chromium.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is required by the end-to-end tests and is missing at ${chromiumPath}. ` +
        'Install it with `apt-get install -y chromium` (Debian/Ubuntu) and run the tests again.',
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions in the page: a crash of the app. */
  pageErrors: string[];
  /** `console.error` output other than failed network requests (which an error path may cause on purpose). */
  consoleErrors: string[];
  close(): Promise<void>;
}

/** Opens `url` in a fresh context (no cookies or storage shared with other pages) at a desktop or phone size. */
export async function openPage(browser: Browser, url: string, size: ViewportName): Promise<OpenedPage> {
  const phone = size === 'phone';
  const context = await browser.newContext({
    viewport: viewports[size],
    deviceScaleFactor: phone ? 2 : 1,
    isMobile: phone,
    hasTouch: phone,
    reducedMotion: 'reduce',
    locale: 'en-US',
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      consoleErrors.push(message.text());
    }
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, context, pageErrors, consoleErrors, close: () => context.close() };
}

/** Saves a full-page PNG to `test-results/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}
