/** One page of the app: where it lives, what it is for, and which later work brings it. */
export interface NavigationEntry {
  path: string;
  label: string;
  purpose: string;
  arrivesWith: string;
  /** Reached from another page (e.g. a chart from the patient list), not listed in the menu. */
  hiddenFromMenu?: boolean;
}

const page = {
  myRecords: {
    path: '/my/records',
    label: 'My records',
    purpose: 'Your health record: conditions, test results, imaging, medications and notes.',
    arrivesWith: 'the patient records view',
  },
  delegatedRecords: {
    path: '/my/records',
    label: 'Records I help with',
    purpose: 'The records of the people who made you their delegate.',
    arrivesWith: 'the patient records view',
  },
  sharing: {
    path: '/my/sharing',
    label: 'Sharing',
    purpose: 'Choose which care teams, institutions and researchers may see your records.',
    arrivesWith: 'consent management',
  },
  accessLog: {
    path: '/my/access-log',
    label: 'Who viewed my records',
    purpose: 'Every access to your record: who, from which institution, when and why.',
    arrivesWith: 'the patient access log',
  },
  delegates: {
    path: '/my/delegates',
    label: 'Delegates',
    purpose: 'People who can act for you, and the people you act for.',
    arrivesWith: 'delegation management',
  },
  chart: {
    path: '/patients/chart',
    label: 'Chart',
    purpose: 'The chart of the patient you opened.',
    arrivesWith: 'the clinician records view',
    hiddenFromMenu: true,
  },
  disclosures: {
    path: '/privacy/disclosures',
    label: 'Disclosures',
    purpose: 'The accounting of disclosures of a patient’s records.',
    arrivesWith: 'the disclosures report',
  },
  account: {
    path: '/account',
    label: 'Account & security',
    purpose: 'Your authenticator and your sessions.',
    arrivesWith: 'account settings',
  },
  patients: {
    path: '/patients',
    label: 'Patients',
    purpose: 'Find the patients in your care and open their records.',
    arrivesWith: 'the clinician records view',
  },
  videos: {
    path: '/videos',
    label: 'Videos',
    purpose: 'Educational videos and tutorials available to you.',
    arrivesWith: 'the video library',
  },
  audit: {
    path: '/privacy/audit',
    label: 'Audit',
    purpose: 'Search who accessed which records, when, and for what purpose.',
    arrivesWith: 'the audit search',
  },
  breakGlassReview: {
    path: '/privacy/break-glass',
    label: 'Break-glass review',
    purpose: 'Review emergency accesses and their justifications.',
    arrivesWith: 'the break-glass review',
  },
  ledger: {
    path: '/privacy/ledger',
    label: 'Ledger',
    purpose: 'Check that the audit ledger is complete and unaltered (signed checkpoints and proofs).',
    arrivesWith: 'the ledger verification view',
  },
  users: {
    path: '/admin/users',
    label: 'Users',
    purpose: 'Manage the accounts and roles of your institution.',
    arrivesWith: 'user administration',
  },
  billing: {
    path: '/billing',
    label: 'Billing',
    purpose: 'Look up the patient demographics needed for billing.',
    arrivesWith: 'the billing view',
  },
  research: {
    path: '/research',
    label: 'Research exports',
    purpose: 'De-identified data exports for research, limited to patients who opted in.',
    arrivesWith: 'research exports',
  },
} satisfies Record<string, NavigationEntry>;

const clinicianPages = [page.patients, page.chart, page.videos, page.account];

/** Role codes of SPEC §2 and the pages each one opens. */
const pagesByRole: Record<string, NavigationEntry[]> = {
  patient: [page.myRecords, page.sharing, page.accessLog, page.delegates, page.videos, page.account],
  delegate: [page.delegatedRecords, page.sharing, page.accessLog, page.delegates, page.videos, page.account],
  physician: clinicianPages,
  nurse: clinicianPages,
  pharmacist: clinicianPages,
  'lab-technician': clinicianPages,
  radiology: clinicianPages,
  'privacy-officer': [page.audit, page.breakGlassReview, page.ledger, page.disclosures, page.account],
  admin: [page.users, page.videos, page.account],
  billing: [page.billing, page.account],
  researcher: [page.research, page.account],
};

/**
 * The navigation for a user holding these roles: the pages of each role in role order, each path once.
 * Unknown roles open nothing. The server enforces access on every request; this only decides what to show.
 */
export function navigationForRoles(roles: readonly string[]): NavigationEntry[] {
  const entries = new Map<string, NavigationEntry>();
  for (const role of roles) {
    for (const entry of pagesByRole[role] ?? []) {
      if (!entries.has(entry.path)) entries.set(entry.path, entry);
    }
  }
  return [...entries.values()];
}

const roleLabels: Record<string, string> = {
  patient: 'Patient',
  delegate: 'Delegate',
  physician: 'Physician',
  nurse: 'Nurse',
  pharmacist: 'Pharmacist',
  'lab-technician': 'Lab technician',
  radiology: 'Radiology',
  billing: 'Billing',
  researcher: 'Researcher',
  admin: 'Administrator',
  'privacy-officer': 'Privacy officer',
};

export function roleLabel(role: string): string {
  return roleLabels[role] ?? role;
}
