import { expect } from 'vitest';
import type { OpenedPage, ViewportName } from '../support/browser.ts';
import { screenshot } from '../support/browser.ts';
import { seriousAccessibilityViolations } from './accessibility.ts';

/**
 * What every page must pass: no serious or critical axe violations, no sideways scrolling, no crash or
 * CSP violation, no health data in the address bar or browser storage; and a screenshot for review.
 */
export async function checkPage(opened: OpenedPage, name: string, size: ViewportName): Promise<void> {
  const { page } = opened;
  expect(await seriousAccessibilityViolations(page), `${name} (${size})`).toEqual([]);
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  expect(overflow, `${name} (${size}) scrolls sideways`).toBeLessThanOrEqual(0);
  const stored = await page.evaluate<{ local: number; session: number; cookies: string }>(
    '({ local: localStorage.length, session: sessionStorage.length, cookies: document.cookie })',
  );
  expect(stored).toEqual({ local: 0, session: 0, cookies: '' });
  expect(new URL(page.url()).search).toBe('');
  await screenshot(page, `${name}-${size}`);
  expect(opened.pageErrors).toEqual([]);
  expect(opened.consoleErrors).toEqual([]);
}

/** Follows a menu link as a person would (client-side navigation keeps the in-memory session). */
export async function openFromMenu(opened: OpenedPage, label: string): Promise<void> {
  await opened.page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: label, exact: true })
    .click();
  await opened.page.getByRole('heading', { level: 1, name: label }).waitFor();
}

/** Waits until no loading indicator is left on the page. */
export async function settled(opened: OpenedPage): Promise<void> {
  await opened.page.locator('.loading').first().waitFor({ state: 'detached', timeout: 20_000 });
}
