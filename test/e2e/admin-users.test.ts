import { describe, expect, it } from 'vitest';
import { openPage, type ViewportName } from '../support/browser.ts';
import { checkPage } from './page-checks.ts';
import { useServerAndBrowser } from './harness.ts';
import { demoLogin, signInAs, totpCode } from './sign-in-as.ts';

const harness = useServerAndBrowser();

describe('administrator', () => {
  it.each<ViewportName>(['desktop', 'phone'])(
    'sees the users of their institution only (%s)',
    async (size) => {
      const opened = await openPage(harness.browser, `${harness.server.baseUrl}/`, size);
      try {
        await signInAs(opened.page, demoLogin(harness.server.credentials.users, 'admin@northwind'));
        await opened.page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
        const list = opened.page.getByRole('list', { name: 'Users' });
        await list.getByText('physician@northwind', { exact: false }).first().waitFor();
        const text = (await list.textContent()) ?? '';
        expect(text).toContain('nurse@northwind');
        expect(text).not.toContain('@southbay');
        await opened.page.getByRole('heading', { name: 'Invite a user' }).waitFor();
        await checkPage(opened, 'admin-users', size);
      } finally {
        await opened.close();
      }
    },
  );

  it('invites a user, changes roles, resets MFA; the user then enrolls an authenticator at sign-in', async () => {
    const admin = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const { page } = admin;
    let temporaryPassword: string;
    try {
      await signInAs(page, demoLogin(harness.server.credentials.users, 'admin@northwind'));
      await page.getByRole('heading', { name: 'Invite a user' }).waitFor();
      await page.getByLabel('Username').fill('new.nurse');
      await page.getByLabel('Full name').fill('Nora New');
      await page.locator('#invite-role-nurse').check();
      await page.getByRole('button', { name: 'Invite' }).click();
      const issued = page.getByRole('status').filter({ hasText: 'one-time password' });
      await issued.waitFor();
      temporaryPassword = (await issued.locator('.secret').textContent()) ?? '';
      expect(temporaryPassword).toMatch(/^\w{5}-\w{5}-\w{5}-\w{5}$/);
      const row = page.getByRole('listitem', { name: 'Nora New' });
      await row.waitFor();
      expect(await row.textContent()).toContain('Nurse');

      // Roles: add physician.
      await row.getByRole('button', { name: 'Edit roles of Nora New' }).click();
      await row.getByLabel('Physician').check();
      await row.getByRole('button', { name: 'Save roles' }).click();
      await page.getByText("Nora New's roles were saved.").waitFor();
      await expect.poll(async () => row.textContent()).toContain('Physician');
      await checkPage(admin, 'admin-users-after-invite', 'desktop');
    } finally {
      await admin.close();
    }

    // The invited nurse signs in: a privileged role without an authenticator must enroll one first.
    const nurse = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'phone');
    try {
      const p = nurse.page;
      await p.getByLabel('Username').fill('new.nurse');
      await p.getByLabel('Password', { exact: true }).fill(temporaryPassword);
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('heading', { name: 'Set up your authenticator' }).waitFor();
      await p.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
      const secret = (await p.locator('.secret').textContent()) ?? '';
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      await checkPage(nurse, 'mfa-enrollment', 'phone');
      const login = {
        username: 'new.nurse',
        password: temporaryPassword,
        totpSecret: secret,
        name: 'Nora New',
        roles: ['nurse'],
        institution: 'northwind',
      };
      await p.getByLabel('Code from the app').fill(await totpCode(login));
      await p.getByRole('button', { name: 'Confirm' }).click();
      await p.getByRole('list', { name: 'Recovery codes' }).waitFor();
      expect(await p.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
      await p.getByRole('button', { name: /I saved them/ }).click();
      await p.getByText('Your authenticator is set up.').waitFor();
      await p.getByLabel('Authentication code').fill(await totpCode(login));
      await p.getByRole('button', { name: 'Verify and sign in' }).click();
      await p.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
      expect(await p.getByText('Nora New').first().isVisible()).toBe(true);
    } finally {
      await nurse.close();
    }
  });

  it('resets a user’s authenticator, which signs them out and makes them enroll again', async () => {
    const opened = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const { page } = opened;
    try {
      await signInAs(page, demoLogin(harness.server.credentials.users, 'admin@northwind'));
      const row = page.getByRole('listitem', {
        name: demoLogin(harness.server.credentials.users, 'pharmacist@northwind').name,
      });
      await row.waitFor();
      expect(await row.textContent()).toContain('Authenticator enrolled');
      await row.getByRole('button', { name: /^Reset MFA/ }).click();
      await row.getByRole('button', { name: 'Yes, reset' }).click();
      await page.getByText('authenticator was reset.').waitFor();
      await expect.poll(async () => row.textContent()).toContain('No authenticator');
    } finally {
      await opened.close();
    }
    const pharmacist = demoLogin(harness.server.credentials.users, 'pharmacist@northwind');
    const again = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    try {
      await again.page.getByLabel('Username').fill(pharmacist.username);
      await again.page.getByLabel('Password', { exact: true }).fill(pharmacist.password);
      await again.page.getByRole('button', { name: 'Sign in' }).click();
      await again.page.getByRole('heading', { name: 'Set up your authenticator' }).waitFor();
    } finally {
      await again.close();
    }
  });
});
