import { describe, expect, it } from 'vitest';
import { openPage, screenshot } from '../support/browser.ts';
import { checkPage, openFromMenu } from './page-checks.ts';
import { useServerAndBrowser } from './harness.ts';
import { signInAs, totpCode } from './sign-in-as.ts';

// Short-lived access tokens (the configurable minimum) so that refresh and expiry happen within a test.
const accessTokenSeconds = 60;

const harness = useServerAndBrowser({ AUTH_ACCESS_TOKEN_TTL_SECONDS: String(accessTokenSeconds) });

const { login } = harness;

async function apiToken(username: string): Promise<string> {
  const { password } = login(username);
  const response = await fetch(`${harness.server.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('signing in with a second factor', () => {
  it('asks a clinician for the authenticator code, refuses a wrong one, accepts the current one', async () => {
    const opened = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const { page } = opened;
    try {
      const physician = login('physician@northwind');
      await page.getByLabel('Username').fill(physician.username);
      await page.getByLabel('Password', { exact: true }).fill(physician.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const code = page.getByLabel('Authentication code');
      await code.waitFor();
      await checkPage(opened, 'sign-in-mfa-challenge', 'desktop');

      await code.fill('000000');
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.getByText('That code was not accepted.').waitFor();

      await code.fill(await totpCode(physician));
      await page.getByRole('button', { name: 'Verify and sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
      expect(await page.getByText(physician.name).isVisible()).toBe(true);
      expect(await page.title()).toBe('Patients — Carebase');

      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByText('You have signed out.').waitFor();
      expect(new URL(page.url()).pathname).toBe('/');
    } finally {
      await opened.close();
    }
  });
});

describe('sessions', () => {
  it('signs out everywhere: this tab at once, another device at its next request', async () => {
    const alice = login('alice.moreau');
    const here = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'phone');
    const elsewhere = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    try {
      await signInAs(here.page, alice);
      await signInAs(elsewhere.page, alice);
      await openFromMenu(here, 'Account & security');
      await checkPage(here, 'account', 'phone');
      await here.page.getByRole('button', { name: 'Sign out everywhere…' }).click();
      await here.page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
      await here.page.getByText('You have signed out on every device.').waitFor();

      await openFromMenu(elsewhere, 'Account & security').catch(() => undefined);
      await elsewhere.page.getByRole('button', { name: 'Sign out everywhere…' }).click();
      await elsewhere.page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
      await elsewhere.page.getByText('Your session has ended. Please sign in again.').waitFor();
      await elsewhere.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    } finally {
      await here.close();
      await elsewhere.close();
    }
  });

  it('refreshes the access token before it expires, and signs out when the session was revoked', async () => {
    const kept = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const revoked = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    try {
      await signInAs(kept.page, login('ben.okafor'));
      await signInAs(revoked.page, login('daniel.kowalski'));
      const refreshed = kept.page.waitForResponse((response) => response.url().endsWith('/auth/token'), {
        timeout: accessTokenSeconds * 1000,
      });

      // Daniel's sessions are ended from elsewhere; his tab finds out when its token is due for refresh.
      const token = await apiToken('daniel.kowalski');
      const ended = await fetch(`${harness.server.baseUrl}/api/me/sessions`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ended.status).toBe(200);

      expect((await refreshed).status()).toBe(200);
      await kept.page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
      await openFromMenu(kept, 'Account & security');

      await revoked.page
        .getByText('Your session expired. Please sign in again.')
        .waitFor({ timeout: 30_000 });
      await screenshot(revoked.page, 'session-expired-desktop');
      expect(revoked.pageErrors).toEqual([]);
    } finally {
      await kept.close();
      await revoked.close();
    }
  });
});
