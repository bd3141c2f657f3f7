import { useSession } from '../api/session-context.ts';
import { RecordTabs } from '../records/record-tabs.tsx';
import { Page } from '../ui/page.tsx';
import { NoPortalRecord, PortalPatientPicker } from './portal-patient-picker.tsx';
import { usePortalPatient } from './portal-patient.tsx';

export function MyRecordsPage() {
  const { patientId } = usePortalPatient();
  const { user } = useSession();
  // The same page is "Records I help with" in a delegate's menu; its title says the same.
  const own = user.roles.includes('patient');
  return (
    <Page
      title={own ? 'My records' : 'Records I help with'}
      lead={
        own
          ? 'Your health record by category. Values outside the reference range are flagged.'
          : 'The record of the person who made you their delegate, by category. Restricted records are not shown to delegates.'
      }
      wide
    >
      <PortalPatientPicker />
      {patientId ? <RecordTabs patientId={patientId} /> : <NoPortalRecord />}
    </Page>
  );
}
