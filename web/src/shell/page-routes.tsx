import type { ComponentType } from 'react';
import { AccountPage } from '../account/account-page.tsx';
import { UsersPage } from '../admin/users-page.tsx';
import { PatientChartPage } from '../clinician/patient-chart-page.tsx';
import { PatientSearchPage } from '../clinician/patient-search-page.tsx';
import { AccessLogPage } from '../patient/access-log-page.tsx';
import { DelegatesPage } from '../patient/delegates-page.tsx';
import { MyRecordsPage } from '../patient/my-records-page.tsx';
import { SharingPage } from '../patient/sharing-page.tsx';
import { AuditSearchPage } from '../privacy/audit-search-page.tsx';
import { BreakGlassReviewPage } from '../privacy/break-glass-review-page.tsx';
import { DisclosuresPage } from '../privacy/disclosures-page.tsx';
import { LedgerPage } from '../privacy/ledger-page.tsx';
import { VideoLibraryPage } from '../video/video-library-page.tsx';

/** The component of each built page; a navigation entry without one shows its placeholder. */
export const pageRoutes: Record<string, ComponentType> = {
  '/my/records': MyRecordsPage,
  '/my/sharing': SharingPage,
  '/my/access-log': AccessLogPage,
  '/my/delegates': DelegatesPage,
  '/patients': PatientSearchPage,
  '/patients/chart': PatientChartPage,
  '/privacy/audit': AuditSearchPage,
  '/privacy/break-glass': BreakGlassReviewPage,
  '/privacy/ledger': LedgerPage,
  '/privacy/disclosures': DisclosuresPage,
  '/admin/users': UsersPage,
  '/account': AccountPage,
  '/videos': VideoLibraryPage,
};
