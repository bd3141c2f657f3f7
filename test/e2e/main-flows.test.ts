import { describe, expect, it } from 'vitest';
import { openPage, type OpenedPage } from '../support/browser.ts';
import { checkPage, openFromMenu, settled } from './page-checks.ts';
import { useServerAndBrowser } from './harness.ts';
import { signInAs } from './sign-in-as.ts';

const harness = useServerAndBrowser();

const { login, patient } = harness;

async function openChartFromSearch(opened: OpenedPage, name: string): Promise<void> {
  const { page } = opened;
  await page.getByLabel('Patient name').fill(name.split(' ')[0] ?? name);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('button', { name: `Open chart of ${name}` }).click();
  await page.getByRole('heading', { level: 1, name: `Chart: ${name}` }).waitFor();
  await settled(opened);
}

describe('a patient revokes a provider’s lab access', () => {
  it('and that provider’s chart then shows labs as restricted, with how to obtain access', async () => {
    const ben = patient('Ben Okafor');
    const physician = login('physician@northwind');
    const doctor = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const portal = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'phone');
    try {
      // Before: the care-team physician sees Ben's lab results, with values, units, ranges and trends.
      await signInAs(doctor.page, physician);
      await openChartFromSearch(doctor, ben.name);
      const labs = doctor.page.getByRole('tabpanel');
      await labs.locator('.lab-test').first().waitFor();
      expect(await labs.getByRole('img').count()).toBeGreaterThan(0);
      expect(await labs.getByRole('columnheader', { name: 'Reference range' }).count()).toBeGreaterThan(0);
      await checkPage(doctor, 'clinician-chart-labs', 'desktop');

      // Ben blocks Dr. Purdy from his lab results; the effect is spelled out before saving.
      await signInAs(portal.page, login('ben.okafor'));
      await openFromMenu(portal, 'My records');
      await portal.page.locator('.lab-test').first().waitFor();
      await checkPage(portal, 'patient-records-labs', 'phone');
      await openFromMenu(portal, 'Sharing');
      await settled(portal);
      await portal.page.getByLabel('Block access').check();
      await portal.page.getByLabel('Who').selectOption({ label: physician.name });
      await portal.page.getByLabel('Lab results').check();
      await portal.page.getByRole('button', { name: 'Review' }).click();
      const sentence = `Do not allow ${physician.name} to see your lab results for treatment.`;
      expect(await portal.page.locator('.preview-text').textContent()).toBe(sentence);
      await checkPage(portal, 'patient-sharing-review', 'phone');
      await portal.page.getByRole('button', { name: 'Confirm and save' }).click();
      await portal.page.getByText(`Saved: ${sentence}`).waitFor();
      const saved = portal.page.getByRole('listitem').filter({ hasText: sentence });
      await saved.waitFor();
      expect(await saved.textContent()).toContain('In effect');
      await saved.getByText('Receipts').click();
      await saved.getByText(/Version 1/).waitFor();
      await checkPage(portal, 'patient-sharing-saved', 'phone');

      // After: the very next look at the labs tab shows them as restricted, without content.
      await doctor.page.getByRole('tab', { name: 'Notes' }).click();
      await settled(doctor);
      await doctor.page.getByRole('tab', { name: 'Lab results' }).click();
      await settled(doctor);
      const restricted = doctor.page.getByRole('note', { name: 'Lab results restricted' });
      await restricted.waitFor();
      expect(await restricted.textContent()).toContain('How to obtain access');
      expect(await restricted.textContent()).toContain('consent_denied');
      expect(await doctor.page.locator('.lab-test').count()).toBe(0);
      await checkPage(doctor, 'clinician-chart-labs-restricted', 'desktop');
    } finally {
      await doctor.close();
      await portal.close();
    }
  });
});

describe('break-glass', () => {
  it('a clinician uses it, the patient sees it highlighted, the privacy officer reviews it', async () => {
    const alice = patient('Alice Moreau');
    const justification = 'Unconscious in the emergency department, allergies needed now';
    const doctor = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    try {
      // Dr. Homenick's care relationship with Alice has ended: her record is restricted to him.
      await signInAs(doctor.page, login('physician2@northwind'));
      await doctor.page.getByText('Patient not in your list? (emergency)').click();
      await doctor.page.getByLabel('Patient id').fill(alice.id);
      await doctor.page.getByRole('button', { name: 'Open chart', exact: true }).click();
      await settled(doctor);
      const restricted = doctor.page.getByRole('note', { name: 'This patient’s record restricted' });
      await restricted.waitFor();
      await restricted.getByRole('button', { name: /Emergency access/ }).click();

      await doctor.page.getByRole('button', { name: 'Start emergency access' }).click();
      await doctor.page.getByText('Explain the emergency in at least 20 characters.').waitFor();
      await doctor.page.getByLabel('Justification').fill(justification);
      await checkPage(doctor, 'clinician-break-glass-form', 'desktop');
      await doctor.page.getByRole('button', { name: 'Start emergency access' }).click();
      const active = doctor.page.locator('.break-glass-active');
      await active.waitFor();
      expect(await active.textContent()).toMatch(/Time left: (59|60):\d\d/);
      expect(await doctor.page.getByLabel('Purpose of use').inputValue()).toBe('BTG');
      await settled(doctor);
      await doctor.page.locator('.lab-test').first().waitFor();
      await checkPage(doctor, 'clinician-break-glass-active', 'desktop');
    } finally {
      await doctor.close();
    }

    const portal = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    try {
      await signInAs(portal.page, login('alice.moreau'));
      await openFromMenu(portal, 'Who viewed my records');
      await settled(portal);
      const flagged = portal.page.locator('tr.row-break-glass').first();
      await flagged.waitFor();
      expect(await flagged.textContent()).toContain('Emergency access (break-glass)');
      expect(await flagged.textContent()).toContain(login('physician2@northwind').name);
      expect(await flagged.textContent()).toContain('Break the glass');
      expect(await flagged.textContent()).toContain(justification);
      await checkPage(portal, 'patient-access-log-break-glass', 'desktop');
      await portal.page.getByLabel('Emergency (break-glass) only').check();
      await portal.page.getByRole('button', { name: 'Apply filters' }).click();
      // The filtered list replaces the full one: wait for the other rows to go, not for a spinner
      // that may not have appeared yet.
      await portal.page.locator('tbody tr:not(.row-break-glass)').first().waitFor({ state: 'detached' });
      await settled(portal);
      expect(await portal.page.locator('tbody tr:not(.row-break-glass)').count()).toBe(0);
      expect(await portal.page.locator('tbody tr.row-break-glass').count()).toBeGreaterThan(0);
      const download = portal.page.waitForEvent('download');
      await portal.page.getByRole('button', { name: 'Export CSV' }).click();
      expect((await download).suggestedFilename()).toBe('access-history.csv');
    } finally {
      await portal.close();
    }

    const office = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'phone');
    try {
      await signInAs(office.page, login('privacy-officer@northwind'));
      await openFromMenu(office, 'Break-glass review');
      await settled(office);
      const pending = office.page.getByRole('listitem').filter({ hasText: justification });
      await pending.waitFor();
      await checkPage(office, 'privacy-break-glass-queue', 'phone');
      await pending.getByLabel('Review comment').fill('Confirmed with the ED charge nurse.');
      await pending.getByRole('button', { name: 'Acknowledge' }).click();
      await office.page.getByText(/Acknowledged the emergency access/).waitFor();
      await office.page
        .getByRole('listitem')
        .filter({ hasText: justification })
        .getByText('Reviewed')
        .waitFor();

      await openFromMenu(office, 'Audit');
      await office.page.getByLabel('Patient id').fill(alice.id);
      await office.page.getByRole('button', { name: 'Search', exact: true }).click();
      await settled(office);
      await office.page.locator('tr.row-break-glass').first().waitFor();
      await checkPage(office, 'privacy-audit-break-glass', 'phone');
    } finally {
      await office.close();
    }
  });
});
