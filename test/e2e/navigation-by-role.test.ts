import { describe, expect, it } from 'vitest';
import { navigationForRoles, roleLabel } from '../../web/src/shell/navigation-by-role.ts';

// The web app has no unit-test project of its own yet; its pure navigation rules are checked here.
const labels = (roles: string[]) => navigationForRoles(roles).map((entry) => entry.label);

describe('web navigation by role', () => {
  it('gives each role of SPEC §2 its pages', () => {
    expect(labels(['patient'])).toEqual([
      'My records',
      'Sharing',
      'Who viewed my records',
      'Delegates',
      'Videos',
      'Account & security',
    ]);
    for (const clinician of ['physician', 'nurse', 'pharmacist', 'lab-technician', 'radiology']) {
      expect(labels([clinician]), clinician).toEqual(['Patients', 'Chart', 'Videos', 'Account & security']);
    }
    expect(labels(['privacy-officer'])).toEqual([
      'Audit',
      'Break-glass review',
      'Ledger',
      'Disclosures',
      'Account & security',
    ]);
    expect(labels(['admin'])).toEqual(['Users', 'Videos', 'Account & security']);
    expect(labels(['billing'])).toEqual(['Billing', 'Account & security']);
    expect(labels(['researcher'])).toEqual(['Research exports', 'Account & security']);
  });

  it('keeps the chart out of the menu: it opens from the patient list with a patient in memory', () => {
    const chart = navigationForRoles(['physician']).find((entry) => entry.path === '/patients/chart');
    expect(chart?.hiddenFromMenu).toBe(true);
  });

  it('merges several roles without repeating a page, and opens nothing for unknown roles', () => {
    expect(labels(['physician', 'admin'])).toEqual([
      'Patients',
      'Chart',
      'Videos',
      'Account & security',
      'Users',
    ]);
    expect(labels(['superuser'])).toEqual([]);
    expect(labels([])).toEqual([]);
  });

  it('never routes a page to a server path (the SPA fallback refuses those)', () => {
    const everyRole = [
      'patient',
      'delegate',
      'physician',
      'privacy-officer',
      'admin',
      'billing',
      'researcher',
    ];
    for (const { path } of navigationForRoles(everyRole)) {
      expect(path).not.toMatch(/^\/(api|fhir|auth|audit|\.well-known)(\/|$)/);
    }
  });

  it('labels role codes in plain words', () => {
    expect(roleLabel('lab-technician')).toBe('Lab technician');
    expect(roleLabel('privacy-officer')).toBe('Privacy officer');
    expect(roleLabel('unheard-of')).toBe('unheard-of');
  });
});
