import { describe, expect, it } from 'vitest';
import { openPage } from '../support/browser.ts';
import { checkPage, openFromMenu, settled } from './page-checks.ts';
import { useServerAndBrowser } from './harness.ts';
import type { DemoLogin } from './server-under-test.ts';
import { demoLogin, signInAs } from './sign-in-as.ts';

const harness = useServerAndBrowser();

const nextYear = new Date().getUTCFullYear() + 1;

describe('a patient’s delegates', () => {
  it('a patient adds a proxy, who accepts, signs in and sees the record, until the patient removes them', async () => {
    const daniel = demoLogin(harness.server.credentials.users, 'daniel.kowalski');
    const proxy: DemoLogin = {
      username: 'marta.kowalski',
      name: 'Marta Kowalski',
      password: 'four words make a password',
      roles: ['delegate'],
      institution: daniel.institution,
    };
    const portal = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'phone');
    const helper = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'phone');
    try {
      // Daniel invites Marta as his proxy until the middle of next year.
      await signInAs(portal.page, daniel);
      await openFromMenu(portal, 'Delegates');
      await settled(portal);
      await portal.page.getByText('Nobody can act for you.').waitFor();
      await checkPage(portal, 'patient-delegates-empty', 'phone');
      await portal.page.getByRole('button', { name: 'Create invitation' }).click();
      await portal.page.getByText('Enter the person’s full name.').waitFor();
      await portal.page.getByLabel('Full name').fill(proxy.name);
      await portal.page.getByLabel('Email').fill('marta@example.org');
      await portal.page.getByLabel('Relationship to you').selectOption('proxy');
      await portal.page.getByLabel('Access ends after (optional)').fill(`${nextYear}-06-30`);
      await portal.page.getByRole('button', { name: 'Create invitation' }).click();
      const code = (await portal.page.locator('.secret').textContent())?.trim() ?? '';
      expect(code.length).toBeGreaterThanOrEqual(20);
      const invitation = portal.page.getByRole('listitem', { name: `Invitation for ${proxy.name}` });
      await invitation.waitFor();
      expect(await invitation.textContent()).toContain('marta@example.org');
      await checkPage(portal, 'patient-delegates-invited', 'phone');

      // Marta redeems the code on the sign-in page with her own password, then signs in.
      await helper.page.getByRole('button', { name: 'I have an invitation' }).click();
      await helper.page.getByRole('heading', { level: 1, name: 'Accept an invitation' }).waitFor();
      await helper.page.getByLabel('Invitation code').fill(code);
      await helper.page.getByLabel('Choose a username').fill(proxy.username);
      await helper.page.getByLabel('Choose a password').fill('too short');
      await helper.page.getByLabel('Repeat the password').fill('too short');
      await helper.page.getByRole('button', { name: 'Create my login' }).click();
      await helper.page.getByText('Use at least 12 characters').waitFor();
      await checkPage(helper, 'proxy-accept-invitation', 'phone');
      await helper.page.getByLabel('Choose a password').fill(proxy.password);
      await helper.page.getByLabel('Repeat the password').fill(proxy.password);
      await helper.page.getByRole('button', { name: 'Create my login' }).click();
      await helper.page.getByText('Your login is ready.').waitFor();
      expect(await helper.page.getByLabel('Username').inputValue()).toBe(proxy.username);
      await signInAs(helper.page, proxy);
      await helper.page.getByRole('heading', { level: 1, name: 'Records I help with' }).waitFor();
      await settled(helper);
      await helper.page.locator('.lab-test').first().waitFor();
      await checkPage(helper, 'proxy-records', 'phone');

      // Daniel sees Marta as his active proxy, with what she can and cannot do, and removes her.
      await openFromMenu(portal, 'Sharing');
      await openFromMenu(portal, 'Delegates');
      await settled(portal);
      const card = portal.page.getByRole('listitem', { name: proxy.name, exact: true });
      await card.waitFor();
      const text = (await card.textContent()) ?? '';
      expect(text).toContain('Active');
      expect(text).toContain('Proxy');
      expect(text).toContain(`Jun 30, ${nextYear}`);
      expect(text).toContain('restricted records');
      expect(await invitation.count()).toBe(0);
      await checkPage(portal, 'patient-delegates-active', 'phone');
      await card.getByRole('button', { name: `Remove ${proxy.name}…` }).click();
      await card.getByRole('button', { name: 'Yes, remove now' }).click();
      await portal.page.getByText(`${proxy.name} was removed and signed out.`).waitFor();
      await card.waitFor({ state: 'detached' });
      await portal.page.getByText('Nobody can act for you.').waitFor();

      // Marta's very next request fails: she is signed out, and signing in again shows no record.
      await helper.page.getByRole('tab', { name: 'Notes' }).click();
      await helper.page.getByText('Your session has ended. Please sign in again.').waitFor();
      await signInAs(helper.page, proxy);
      await helper.page.getByText('No record is linked to your account').waitFor();
      await checkPage(helper, 'proxy-after-removal', 'phone');
    } finally {
      await portal.close();
      await helper.close();
    }
  });
});
