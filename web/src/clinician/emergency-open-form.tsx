import { useState, type FormEvent } from 'react';
import { TextField } from '../ui/text-field.tsx';

/**
 * A patient outside one's care relationships does not appear in search. In an emergency the clinician
 * opens the chart by the patient's id (e.g. from the wristband) and can then request break-glass access.
 */
export function EmergencyOpenForm({ onOpen }: { onOpen: (patientId: string) => void }) {
  const [id, setId] = useState('');
  const [error, setError] = useState<string>();
  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = id.trim();
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(trimmed)) return setError('Enter the patient id as printed.');
    onOpen(trimmed);
  }
  return (
    <details className="card emergency-open">
      <summary>Patient not in your list? (emergency)</summary>
      <form className="search-row" onSubmit={submit}>
        <TextField id="emergency-patient-id" label="Patient id" value={id} onChange={setId} error={error} />
        <button type="submit" className="button button-secondary">
          Open chart
        </button>
      </form>
    </details>
  );
}
