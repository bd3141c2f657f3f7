import { describe, expect, it } from 'vitest';
import { openPage } from '../support/browser.ts';
import { checkPage, settled } from './page-checks.ts';
import { useServerAndBrowser } from './harness.ts';
import { demoLogin, signInAs } from './sign-in-as.ts';

const harness = useServerAndBrowser();

describe('a clinician writes in the chart', () => {
  it('a note, a lab result and a medication order from the chart forms, each then shown in the chart', async () => {
    const ben = harness.server.credentials.patients.find((patient) => patient.name === 'Ben Okafor');
    if (!ben) throw new Error('No demo patient Ben Okafor');
    const doctor = await openPage(harness.browser, `${harness.server.baseUrl}/`, 'desktop');
    const { page } = doctor;
    try {
      await signInAs(page, demoLogin(harness.server.credentials.users, 'physician@northwind'));
      await page.getByLabel('Patient name').fill('Ben');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('button', { name: `Open chart of ${ben.name}` }).click();
      await page.getByRole('heading', { level: 1, name: `Chart: ${ben.name}` }).waitFor();
      await settled(doctor);
      const panel = page.getByRole('region', { name: 'Add to the chart' });

      // A progress note: an empty one is refused in the form, a written one appears under Notes.
      const noteText = 'Follow-up after the e2e visit: blood pressure controlled, continue current plan.';
      await panel.getByRole('button', { name: 'Write a note' }).click();
      const noteForm = page.getByRole('form', { name: 'Write a note' });
      await noteForm.getByLabel('Title').fill('E2E follow-up note');
      await noteForm.getByRole('button', { name: 'Save' }).click();
      await noteForm.getByText('Write the note first.').waitFor();
      await noteForm.getByLabel('Note').fill(noteText);
      await checkPage(doctor, 'clinician-write-note', 'desktop');
      await noteForm.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Write a note: saved.').waitFor();
      await page.getByRole('tab', { name: 'Notes' }).click();
      const note = page.getByRole('tabpanel').getByRole('listitem').filter({ hasText: 'E2E follow-up note' });
      await note.waitFor();
      await note.getByText('E2E follow-up note').click();
      expect(await note.locator('.note-text').textContent()).toBe(noteText);

      // A lab result, with its value and unit, in the lab results tab.
      await panel.getByRole('button', { name: 'Record a result' }).click();
      const resultForm = page.getByRole('form', { name: 'Record a lab result' });
      await resultForm.getByLabel('Test').fill('Ferritin (e2e)');
      await resultForm.getByLabel('LOINC code (optional)').fill('2276-4');
      await resultForm.getByLabel('Value').fill('42');
      await resultForm.getByLabel('Unit').fill('ng/mL');
      await checkPage(doctor, 'clinician-write-result', 'desktop');
      await resultForm.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Record a lab result: saved.').waitFor();
      await page.getByRole('tab', { name: 'Lab results' }).click();
      const ferritin = page.getByRole('region', { name: 'Ferritin (e2e)', exact: true });
      await ferritin.waitFor();
      expect(await ferritin.textContent()).toMatch(/42\s*ng\/mL/);

      // A medication order, with how to take it, in the medications tab.
      await panel.getByRole('button', { name: 'Order a medication' }).click();
      const orderForm = page.getByRole('form', { name: 'Order a medication' });
      await orderForm.getByLabel('Medication').fill('Amoxicillin 500 mg capsule');
      await orderForm.getByLabel('How to take it').fill('One capsule three times a day for 7 days');
      await checkPage(doctor, 'clinician-write-medication', 'desktop');
      await orderForm.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Order a medication: saved.').waitFor();
      await page.getByRole('tab', { name: 'Medications' }).click();
      const order = page.getByRole('row').filter({ hasText: 'Amoxicillin 500 mg capsule' });
      await order.waitFor();
      expect(await order.textContent()).toContain('One capsule three times a day for 7 days');
      await settled(doctor);
      await checkPage(doctor, 'clinician-chart-after-writes', 'desktop');
    } finally {
      await doctor.close();
    }
  });
});
