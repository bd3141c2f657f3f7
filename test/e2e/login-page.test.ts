import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage, screenshot, type ViewportName } from '../support/browser.ts';
import { seriousAccessibilityViolations } from './accessibility.ts';
import { useServerAndBrowser } from './harness.ts';

const harness = useServerAndBrowser();

interface FocusedElement {
  tag: string | undefined;
  id: string | undefined;
  text: string | undefined;
}

// Page-side code is passed as strings: these tests are typed for Node, without the DOM library.
function focusedElement(page: Page): Promise<FocusedElement> {
  return page.evaluate<FocusedElement>(
    `({ tag: document.activeElement?.tagName.toLowerCase(), id: document.activeElement?.id,
        text: document.activeElement?.textContent?.trim() })`,
  );
}

describe.each<ViewportName>(['desktop', 'phone'])('sign-in page in Chromium (%s)', (size) => {
  it('renders a titled page with labelled fields, a keyboard-reachable submit button and strict headers', async () => {
    const response = await fetch(`${harness.server.baseUrl}/`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");

    const opened = await openPage(harness.browser, `${harness.server.baseUrl}/`, size);
    const { page } = opened;
    try {
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await page.title()).toBe('Sign in — Carebase');
      expect(await page.getByText('Carebase', { exact: true }).first().isVisible()).toBe(true);

      const username = page.getByLabel('Username');
      const password = page.getByLabel('Password', { exact: true });
      expect(await username.getAttribute('autocomplete')).toBe('username');
      expect(await password.getAttribute('type')).toBe('password');
      expect(await password.getAttribute('autocomplete')).toBe('current-password');
      expect(await page.getByLabel('Authentication code').count()).toBe(0);

      // Keyboard order: username, password, show password, submit.
      await page.keyboard.press('Tab');
      expect(await focusedElement(page)).toMatchObject({ tag: 'input', id: 'username' });
      await page.keyboard.press('Tab');
      expect(await focusedElement(page)).toMatchObject({ tag: 'input', id: 'password' });
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await focusedElement(page)).toMatchObject({ tag: 'button', text: 'Sign in' });

      // The whole form fits the viewport width: no sideways scrolling on a phone.
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      const button = await page.getByRole('button', { name: 'Sign in' }).boundingBox();
      expect(button?.height).toBeGreaterThanOrEqual(44);

      await screenshot(page, `sign-in-${size}`);
      expect(opened.pageErrors).toEqual([]);
      // Also catches Content-Security-Policy violations, which Chromium reports as console errors.
      expect(opened.consoleErrors).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('has no serious or critical accessibility violations (axe-core)', async () => {
    const opened = await openPage(harness.browser, `${harness.server.baseUrl}/`, size);
    try {
      await opened.page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await seriousAccessibilityViolations(opened.page)).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});

describe('signing in with wrong credentials', () => {
  it('asks for the missing fields without calling the server', async () => {
    const opened = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const { page } = opened;
    try {
      let loginCalls = 0;
      page.on('request', (request) => {
        if (request.url().endsWith('/auth/login')) loginCalls += 1;
      });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Enter your username.').waitFor();
      expect(await page.getByText('Enter your password.').isVisible()).toBe(true);
      expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBe('true');
      expect(await focusedElement(page)).toMatchObject({ id: 'username' });
      expect(loginCalls).toBe(0);
    } finally {
      await opened.close();
    }
  });

  it('posts the SPEC login body and says only that the credentials are wrong', async () => {
    // A client-side route: the server answers it with the app (SPA fallback), which shows sign-in.
    const opened = await openPage(harness.browser, `${harness.server.baseUrl}/patients`, 'desktop');
    const { page } = opened;
    try {
      await page.getByLabel('Username').fill('dr.house');
      await page.getByLabel('Password', { exact: true }).fill('not-the-password');
      const loginRequest = page.waitForRequest((request) => request.url().endsWith('/auth/login'));
      const loginResponse = page.waitForResponse((response) => response.url().endsWith('/auth/login'));
      await page.getByLabel('Password', { exact: true }).press('Enter');

      const request = await loginRequest;
      expect(request.method()).toBe('POST');
      expect(request.postDataJSON()).toEqual({ username: 'dr.house', password: 'not-the-password' });
      expect((await loginResponse).status()).toBe(401);

      const alert = page.getByRole('alert');
      await alert.getByText('Username or password is incorrect.').waitFor();
      expect(await alert.textContent()).toBe('Username or password is incorrect.');
      // Still usable: the form is there, the username kept, the password cleared, the button enabled again.
      expect(await page.getByLabel('Username').inputValue()).toBe('dr.house');
      expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
      expect(await page.getByRole('button', { name: 'Sign in' }).isEnabled()).toBe(true);

      // Nothing was put in browser storage.
      const stored = await page.evaluate<{ local: number; session: number; cookies: string }>(
        '({ local: localStorage.length, session: sessionStorage.length, cookies: document.cookie })',
      );
      expect(stored).toEqual({ local: 0, session: 0, cookies: '' });

      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'sign-in-error-desktop');
      expect(opened.pageErrors).toEqual([]);
      expect(opened.consoleErrors).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
