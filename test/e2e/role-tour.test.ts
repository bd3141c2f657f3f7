import { describe, expect, it } from 'vitest';
import { openPage, viewports, type OpenedPage } from '../support/browser.ts';
import { checkPage } from './page-checks.ts';
import { useServerAndBrowser } from './harness.ts';
import { demoLogin, signInAs } from './sign-in-as.ts';

const harness = useServerAndBrowser();

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Opens every menu page of the signed-in user, at desktop then phone width, checking each one. */
async function tour(opened: OpenedPage, role: string): Promise<string[]> {
  const { page } = opened;
  const nav = page.getByRole('navigation', { name: 'Main' });
  const labels = await nav.getByRole('link').allTextContents();
  for (const size of ['desktop', 'phone'] as const) {
    await page.setViewportSize(viewports[size]);
    for (const label of labels) {
      await nav.getByRole('link', { name: label, exact: true }).click();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      // Each page settles on its content, empty or error state: no spinner is left.
      await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 20_000 });
      await checkPage(opened, `${role}-${slug(label)}`, size);
    }
  }
  return labels;
}

describe.each([
  ['patient', 'alice.moreau', ['My records', 'Sharing', 'Who viewed my records', 'Delegates']],
  ['delegate', 'julien.moreau', ['Records I help with', 'Sharing', 'Who viewed my records']],
  ['physician', 'physician@northwind', ['Patients']],
  ['nurse', 'nurse@southbay', ['Patients']],
  ['privacy-officer', 'privacy-officer@northwind', ['Audit', 'Break-glass review', 'Ledger', 'Disclosures']],
  ['admin', 'admin@northwind', ['Users']],
  ['billing', 'billing@northwind', ['Billing']],
])('every page of a %s', (role, username, expected) => {
  it('is accessible (axe), fits a phone, keeps no data in the URL or storage, and is screenshotted', async () => {
    const opened = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    try {
      await signInAs(opened.page, demoLogin(harness.server.credentials.users, username));
      const labels = await tour(opened, role);
      for (const label of expected) expect(labels).toContain(label);
      expect(labels).toContain('Account & security');
    } finally {
      await opened.close();
    }
  });
});
