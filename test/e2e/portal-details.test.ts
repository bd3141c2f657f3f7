import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { openPage } from '../support/browser.ts';
import { checkPage, openFromMenu, settled } from './page-checks.ts';
import { useServerAndBrowser } from './harness.ts';
import type { DemoLogin } from './server-under-test.ts';
import { signInAs, totpCode } from './sign-in-as.ts';

const harness = useServerAndBrowser();

const { login, patient } = harness;

/** Signs in through the API (as another device would) and returns the access token. */
async function apiToken(user: DemoLogin): Promise<string> {
  const response = await fetch(`${harness.server.baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: user.username,
      password: user.password,
      ...(user.totpSecret ? { otp: await totpCode(user) } : {}),
    }),
  });
  expect(response.status, `sign-in of ${user.username}`).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function apiCall(
  token: string,
  path: string,
  init: { method?: string; purpose?: string; json?: unknown } = {},
) {
  const response = await fetch(`${harness.server.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.purpose ? { 'x-purpose-of-use': init.purpose } : {}),
      ...(init.json ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.json ? { body: JSON.stringify(init.json) } : {}),
  });
  expect(response.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(300);
  return response.json() as Promise<unknown>;
}

const isoDay = (offsetDays: number) =>
  new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const nextYear = new Date().getUTCFullYear() + 1;

describe('sharing: a permit with an end date', () => {
  it('shows the effect before saving, then a receipt', async () => {
    const portal = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'phone');
    const { page } = portal;
    try {
      await signInAs(page, login('grace.liu'));
      await openFromMenu(portal, 'Sharing');
      await settled(portal);
      // A choice recorded for her care team reads as such, not as a resource id.
      await page
        .getByText('Do not allow your care team to see your clinical notes for any purpose.', { exact: true })
        .waitFor();
      await page.getByLabel('Allow access').check();
      const who = page.getByLabel('Who');
      const choice = (await who.locator('option').nth(1).textContent())?.trim() ?? '';
      await who.selectOption({ label: choice });
      await page.getByLabel('Imaging').check();
      await page.getByLabel('Until (optional)').fill(`${nextYear}-06-30`);
      await page.getByRole('button', { name: 'Review' }).click();
      const sentence = `Allow ${choice} to see your imaging reports for treatment until Jun 30, ${nextYear}.`;
      expect(await page.locator('.preview-text').textContent()).toBe(sentence);
      await checkPage(portal, 'patient-sharing-permit-review', 'phone');
      await page.getByRole('button', { name: 'Confirm and save' }).click();
      await page.getByText(`Saved: ${sentence}`).waitFor();
      const saved = page.getByRole('listitem').filter({ hasText: sentence });
      await saved.waitFor();
      expect(await saved.textContent()).toContain('In effect');
      await saved.getByText('Receipts').click();
      await saved.getByText(/Version 1/).waitFor();
      await checkPage(portal, 'patient-sharing-permit-receipt', 'phone');
    } finally {
      await portal.close();
    }
  });
});

describe('access history and disclosures', () => {
  it('a patient filters by category, date and break-glass and exports CSV; a privacy officer sees the disclosures', async () => {
    const alice = patient('Alice Moreau');
    const careTeamPhysician = alice.careTeam
      .map(login)
      .find((user) => user.roles.includes('physician') && user.username !== 'physician2@northwind');
    if (!careTeamPhysician) throw new Error('Alice has no care-team physician in the demo set');
    const emergencyDoctor = login('physician2@northwind');
    const justification = 'Found unresponsive at home, need allergies and current labs';

    // Accesses to Alice's record from other devices: an ordinary read of her labs by her physician, and
    // an emergency (break-glass) read by a physician whose care relationship has ended.
    const ordinary = await apiToken(careTeamPhysician);
    await apiCall(ordinary, `/fhir/R4/Observation?patient=${alice.id}&category=laboratory`, {
      purpose: 'TREAT',
    });
    const emergency = await apiToken(emergencyDoctor);
    await apiCall(emergency, '/api/break-glass', {
      method: 'POST',
      json: { patient: alice.id, justification, reason: 'emergency' },
    });
    await apiCall(emergency, `/fhir/R4/Observation?patient=${alice.id}&category=laboratory`, {
      purpose: 'BTG',
    });

    const portal = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const { page } = portal;
    try {
      await signInAs(page, login('alice.moreau'));
      await openFromMenu(portal, 'Who viewed my records');
      await settled(portal);
      const rows = page.locator('.access-log tbody tr');
      await rows.filter({ hasText: careTeamPhysician.name }).first().waitFor();

      // Emergency only: every other row goes, the justification is shown.
      await page.getByLabel('Emergency (break-glass) only').check();
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator('.access-log tbody tr:not(.row-break-glass)').first().waitFor({ state: 'detached' });
      expect(await rows.count()).toBeGreaterThan(0);
      expect(await rows.filter({ hasText: emergencyDoctor.name }).first().textContent()).toContain(
        justification,
      );
      await checkPage(portal, 'patient-access-log-break-glass', 'desktop');

      // Lab results only, any kind of access.
      await page.getByLabel('Emergency (break-glass) only').uncheck();
      await page.getByLabel('Category').selectOption({ label: 'Lab results' });
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await rows.filter({ hasText: careTeamPhysician.name }).first().waitFor();
      await rows.filter({ hasNotText: 'Lab results' }).first().waitFor({ state: 'detached' });
      expect(await rows.filter({ hasText: emergencyDoctor.name }).count()).toBeGreaterThan(0);

      // A date range starting tomorrow has nothing yet; starting today has today's accesses.
      await page.getByLabel('From').fill(isoDay(1));
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No accesses match these filters.').waitFor();
      await page.getByLabel('From').fill(isoDay(0));
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await rows.filter({ hasText: careTeamPhysician.name }).first().waitFor();
      await checkPage(portal, 'patient-access-log-filtered', 'desktop');

      // The export holds what the filters show.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('access-history.csv');
      const csv = await readFile(await download.path(), 'utf8');
      const [header, ...lines] = csv.trim().split(/\r\n/);
      expect(header).toBe(
        'id,at,actor_name,actor_role,actor_institution,action,category,resource_type,purpose,break_glass,justification,outcome',
      );
      expect(lines.length).toBe(await rows.count());
      expect(lines.every((line) => line.includes(',labs,'))).toBe(true);
      expect(lines.some((line) => line.includes(careTeamPhysician.name))).toBe(true);
      expect(lines.some((line) => line.includes(justification))).toBe(true);
    } finally {
      await portal.close();
    }

    // The privacy office accounts for the disclosures of Alice's record: both physicians are in it.
    const office = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    try {
      await signInAs(office.page, login(`privacy-officer@${alice.institution}`));
      await openFromMenu(office, 'Disclosures');
      await office.page.getByLabel('Patient id').fill(alice.id);
      await office.page.getByRole('button', { name: 'Show disclosures' }).click();
      const table = office.page.getByRole('region', { name: 'Disclosures table' });
      await table.waitFor();
      await table.getByRole('row').filter({ hasText: careTeamPhysician.name }).first().waitFor();
      expect(await table.getByRole('row').filter({ hasText: emergencyDoctor.name }).count()).toBeGreaterThan(
        0,
      );
      await checkPage(office, 'privacy-disclosures', 'desktop');
    } finally {
      await office.close();
    }
  });
});
