import { useState } from 'react';
import { describeApiError } from '../api/describe-api-error.ts';
import { useSession } from '../api/session-context.ts';
import { MfaEnrollment } from '../auth/mfa-enrollment.tsx';
import { Page } from '../ui/page.tsx';

export function AccountPage() {
  const { user, signOutEverywhere, accessToken } = useSession();
  const [enrolling, setEnrolling] = useState(false);
  const [enrolledNow, setEnrolledNow] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();

  async function endAll() {
    setError(undefined);
    try {
      await signOutEverywhere();
    } catch (failure) {
      setError(describeApiError(failure));
    }
  }

  const mfa = user.mfaEnrolled || enrolledNow;
  return (
    <Page title="Account & security" lead={`Signed in as ${user.username}.`}>
      <section className="card stack" aria-labelledby="mfa-title">
        <h2 id="mfa-title">Authenticator app</h2>
        <p>{mfa ? 'An authenticator app protects your sign-in.' : 'No authenticator app is set up.'}</p>
        {!mfa &&
          (enrolling ? (
            <MfaEnrollment
              accessToken={accessToken()}
              onDone={() => setEnrolledNow(true)}
              onCancel={() => setEnrolling(false)}
            />
          ) : (
            <button type="button" className="button button-secondary" onClick={() => setEnrolling(true)}>
              Set up an authenticator
            </button>
          ))}
        {mfa && (
          <p className="meta">Lost your phone? Use a recovery code, or ask your administrator to reset it.</p>
        )}
      </section>
      <section className="card stack" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <p>Sign out on every device and browser where you are signed in, including this one.</p>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        {confirming ? (
          <div className="button-row">
            <button type="button" className="button button-danger" onClick={endAll}>
              Yes, sign out everywhere
            </button>
            <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
            Sign out everywhere…
          </button>
        )}
      </section>
    </Page>
  );
}
