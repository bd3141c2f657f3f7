import { useState } from 'react';
import { describeApiError } from '../api/describe-api-error.ts';
import { fhirWrite, type FhirResource } from '../api/fhir.ts';
import { useSession } from '../api/session-context.ts';
import { ConsentReceipts } from './consent-receipts.tsx';
import { describeConsent, summarizeConsent } from './consent-model.ts';

interface ConsentCardProps {
  consent: FhirResource;
  onChanged: (message: string) => void;
}

export function ConsentCard({ consent, onChanged }: ConsentCardProps) {
  const { api } = useSession();
  const summary = summarizeConsent(consent);
  const sentence = describeConsent(summary);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const active = summary.status === 'active';

  async function revoke() {
    setBusy(true);
    setError(undefined);
    try {
      await fhirWrite(api, { ...consent, status: 'inactive' });
      onChanged(`Revoked: ${sentence}`);
    } catch (failure) {
      setError(describeApiError(failure));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <li className={active ? 'card consent' : 'card consent consent-inactive'}>
      <p className="consent-sentence">{sentence}</p>
      <p className="meta">
        <span className={active ? 'badge badge-ok' : 'badge'}>{active ? 'In effect' : 'Revoked'}</span>
        {summary.research && <span className="badge">Research</span>}
      </p>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {active &&
        (confirming ? (
          <div className="button-row">
            <button type="button" className="button button-danger" onClick={revoke} disabled={busy}>
              {busy ? 'Revoking…' : 'Yes, revoke now'}
            </button>
            <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
            Revoke…
          </button>
        ))}
      {summary.id && (
        <details className="receipts-details">
          <summary>Receipts</summary>
          <ConsentReceipts consentId={summary.id} />
        </details>
      )}
    </li>
  );
}
