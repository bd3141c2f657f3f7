import { RecordTabs } from '../records/record-tabs.tsx';
import { Page } from '../ui/page.tsx';
import { NoPortalRecord, PortalPatientPicker } from './portal-patient-picker.tsx';
import { usePortalPatient } from './portal-patient.tsx';

export function MyRecordsPage() {
  const { patientId } = usePortalPatient();
  return (
    <Page
      title="My records"
      lead="Your health record by category. Values outside the reference range are flagged."
      wide
    >
      <PortalPatientPicker />
      {patientId ? <RecordTabs patientId={patientId} /> : <NoPortalRecord />}
    </Page>
  );
}
