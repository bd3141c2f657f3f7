import { useState, type FormEvent } from 'react';
import { breakGlassReasons, startBreakGlass, type BreakGlassGrant } from '../api/break-glass.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { useSession } from '../api/session-context.ts';
import { SelectField } from '../ui/select-field.tsx';
import { TextArea } from '../ui/text-area.tsx';

const minimumJustification = 20;

interface BreakGlassFormProps {
  patientId: string;
  onGranted: (grant: BreakGlassGrant) => void;
  onCancel: () => void;
}

/** Emergency access: a reason and a written justification (≥ 20 characters), then a time-boxed grant. */
export function BreakGlassForm({ patientId, onGranted, onCancel }: BreakGlassFormProps) {
  const { api } = useSession();
  const [reason, setReason] = useState<string>('emergency');
  const [justification, setJustification] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (justification.trim().length < minimumJustification) {
      setFieldError(`Explain the emergency in at least ${minimumJustification} characters.`);
      return;
    }
    setFieldError(undefined);
    setBusy(true);
    setError(undefined);
    try {
      onGranted(await startBreakGlass(api, patientId, justification.trim(), reason));
    } catch (failure) {
      setError(describeApiError(failure));
      setBusy(false);
    }
  }

  return (
    <form className="card break-glass-form stack" onSubmit={submit} aria-labelledby="break-glass-title">
      <h2 id="break-glass-title">Emergency access (break-glass)</h2>
      <p>
        Use this only in an emergency. Access is limited in time, every view is flagged, and the patient and
        privacy office are told, with your justification.
      </p>
      <SelectField
        id="break-glass-reason"
        label="Reason"
        value={reason}
        onChange={setReason}
        options={Object.entries(breakGlassReasons).map(([value, label]) => ({ value, label }))}
      />
      <TextArea
        id="break-glass-justification"
        label="Justification"
        hint={`Required, at least ${minimumJustification} characters. The patient will read it.`}
        value={justification}
        onChange={setJustification}
        error={fieldError}
      />
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="button button-danger" disabled={busy}>
          {busy ? 'Requesting…' : 'Start emergency access'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
