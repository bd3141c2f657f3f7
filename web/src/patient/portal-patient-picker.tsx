import { SelectField } from '../ui/select-field.tsx';
import { usePortalPatient } from './portal-patient.tsx';

/** For delegates acting for several people: whose record the page shows. Hidden when there is one. */
export function PortalPatientPicker() {
  const { patientId, choices, choose } = usePortalPatient();
  if (choices.length < 2) return null;
  return (
    <div className="toolbar">
      <SelectField
        id="portal-patient"
        label="Whose record"
        value={patientId ?? ''}
        onChange={choose}
        options={choices.map((choice) => ({ value: choice.patientId, label: choice.label }))}
      />
    </div>
  );
}

export function NoPortalRecord() {
  return (
    <div className="empty-state">
      <p className="empty-state-title">No record is linked to your account</p>
      <p>Ask your clinic to link your account to your health record.</p>
    </div>
  );
}
