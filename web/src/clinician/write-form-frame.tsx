import { useState, type FormEvent, type ReactNode } from 'react';
import { describeApiError } from '../api/describe-api-error.ts';
import { fhirWrite, type FhirResource, type PurposeOfUse } from '../api/fhir.ts';
import { useSession } from '../api/session-context.ts';

interface WriteFormFrameProps {
  id: string;
  title: string;
  purpose: PurposeOfUse;
  /** The resource to create, or an error message when the fields are incomplete. */
  build: () => FhirResource | string;
  onSaved: (message: string) => void;
  children: ReactNode;
}

/** The shared part of the write forms: validation message, saving state, server errors. */
export function WriteFormFrame({ id, title, purpose, build, onSaved, children }: WriteFormFrameProps) {
  const { api } = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const resource = build();
    if (typeof resource === 'string') return setError(resource);
    setBusy(true);
    setError(undefined);
    try {
      await fhirWrite(api, resource, purpose);
      onSaved(`${title}: saved.`);
    } catch (failure) {
      setError(describeApiError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
