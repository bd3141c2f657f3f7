import { useEffect, useState, type FormEvent } from 'react';
import { describeApiError } from '../api/describe-api-error.ts';
import { confirmTotpEnrollment, startTotpEnrollment, type EnrollmentStart } from '../api/mfa.ts';
import { ApiError } from '../api/request-json.ts';
import { TextField } from '../ui/text-field.tsx';
import { QrCode } from './qr-code.tsx';

interface MfaEnrollmentProps {
  /** The enrollment-only token from sign-in, or the session's access token. */
  accessToken: string;
  onDone: () => void;
  onCancel?: () => void;
}

/** Set up an authenticator app: scan (or type) the secret, confirm with a code, keep the recovery codes. */
export function MfaEnrollment({ accessToken, onDone, onCancel }: MfaEnrollmentProps) {
  const [started, setStarted] = useState<EnrollmentStart>();
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    startTotpEnrollment(accessToken).then(
      (result) => current && setStarted(result),
      (failure: unknown) => current && setError(describeApiError(failure)),
    );
    return () => {
      current = false;
    };
  }, [accessToken]);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (code.trim() === '') return setError('Enter the 6-digit code from your authenticator app.');
    setBusy(true);
    setError(undefined);
    try {
      setRecoveryCodes(await confirmTotpEnrollment(accessToken, code.replace(/\s+/g, '')));
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 400
          ? 'That code does not match. Check the time on your phone and enter the current code.'
          : describeApiError(failure),
      );
    } finally {
      setBusy(false);
    }
  }

  if (recoveryCodes) {
    return (
      <div className="stack">
        <h2>Authenticator set up</h2>
        <p>
          Keep these recovery codes somewhere safe. Each works once if you lose your phone. They are not shown
          again.
        </p>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {recoveryCodes.map((recovery) => (
            <li key={recovery}>{recovery}</li>
          ))}
        </ul>
        <button type="button" className="button button-primary button-block" onClick={onDone}>
          I saved them — continue
        </button>
      </div>
    );
  }

  return (
    <form className="stack" onSubmit={confirm} noValidate>
      <h2>Set up your authenticator</h2>
      <p>Your role needs a second step at sign-in. Scan this code with an authenticator app.</p>
      {started ? (
        <>
          <QrCode text={started.otpauthUri} label="QR code for your authenticator app" />
          <p className="field-hint">
            Cannot scan? Enter this key in the app: <span className="secret">{started.secret}</span>
          </p>
        </>
      ) : (
        !error && (
          <p role="status" className="loading">
            <span className="spinner" aria-hidden="true" /> Preparing…
          </p>
        )
      )}
      <div role="alert" className={error ? 'alert alert-error' : 'visually-hidden'}>
        {error}
      </div>
      <TextField
        id="enroll-code"
        label="Code from the app"
        value={code}
        onChange={setCode}
        autoComplete="one-time-code"
        inputMode="numeric"
        maxLength={10}
      />
      <button type="submit" className="button button-primary button-block" disabled={busy || !started}>
        {busy ? 'Checking…' : 'Confirm'}
      </button>
      {onCancel && (
        <button type="button" className="button button-secondary button-block" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
