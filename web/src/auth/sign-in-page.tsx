import { useEffect, useRef, useState, type FormEvent } from 'react';
import { signIn, type Credentials, type TokenSet } from '../api/sign-in.ts';
import { BrandMark } from '../ui/brand-mark.tsx';
import { AcceptInvitation } from '../patient/accept-invitation.tsx';
import { TextField } from '../ui/text-field.tsx';
import { MfaEnrollment } from './mfa-enrollment.tsx';
import { classifySignInFailure } from './sign-in-failure.ts';

interface SignInPageProps {
  /** Why the user is here again, e.g. after the session expired. */
  notice: string | undefined;
  onSignedIn: (tokens: TokenSet) => void;
}

interface FieldErrors {
  username?: string;
  password?: string;
  code?: string;
}

export function SignInPage({ notice, onSignedIn }: SignInPageProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [codeRequired, setCodeRequired] = useState(false);
  const [passwordVisible, setPasswordVisible] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [enrollmentToken, setEnrollmentToken] = useState<string>();
  const [enrolled, setEnrolled] = useState(false);
  const [accepting, setAccepting] = useState(false);
  const [accepted, setAccepted] = useState(false);
  const usernameInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Sign in — Carebase';
  }, []);

  useEffect(() => {
    if (codeRequired) codeInput.current?.focus();
  }, [codeRequired]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    const otp = code.replace(/\s+/g, '');
    const errors: FieldErrors = {};
    if (username.trim() === '') errors.username = 'Enter your username.';
    if (password === '') errors.password = 'Enter your password.';
    if (codeRequired && otp === '') errors.code = 'Enter the code from your authenticator app.';
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      setFailure(undefined);
      (errors.username ? usernameInput : errors.password ? passwordInput : codeInput).current?.focus();
      return;
    }

    const credentials: Credentials = {
      username: username.trim(),
      password,
      ...(codeRequired ? { otp } : {}),
    };
    setSubmitting(true);
    setFailure(undefined);
    try {
      const tokens = await signIn(credentials);
      onSignedIn(tokens);
    } catch (error) {
      const outcome = classifySignInFailure(error, credentials.otp !== undefined);
      setSubmitting(false);
      if (outcome.kind === 'enrollment-required') {
        setEnrollmentToken(outcome.enrollmentToken);
        return;
      }
      if (outcome.kind === 'code-required') {
        setCodeRequired(true);
        setCode('');
        if (outcome.codeWasRejected) {
          setFailure('That code was not accepted. Enter the current code from your authenticator app.');
        }
        codeInput.current?.focus();
        return;
      }
      setFailure(outcome.text);
      if (outcome.clearPassword) {
        setPassword('');
        setCode('');
        setCodeRequired(false);
        passwordInput.current?.focus();
      }
    }
  }

  return (
    <div className="sign-in-layout">
      <main className="sign-in-card" aria-labelledby="sign-in-title">
        <BrandMark />
        <h1 id="sign-in-title">{accepting ? 'Accept an invitation' : 'Sign in'}</h1>
        {accepting ? (
          <AcceptInvitation
            onCancel={() => setAccepting(false)}
            onDone={(newUsername) => {
              setAccepting(false);
              setAccepted(true);
              setUsername(newUsername);
              setPassword('');
            }}
          />
        ) : enrollmentToken ? (
          <MfaEnrollment
            accessToken={enrollmentToken}
            onCancel={() => setEnrollmentToken(undefined)}
            onDone={() => {
              setEnrollmentToken(undefined);
              setEnrolled(true);
              setCodeRequired(true);
              setCode('');
            }}
          />
        ) : (
          <>
            <p className="lead">Use the account your institution gave you.</p>
            {enrolled && (
              <p className="notice" role="status">
                Your authenticator is set up. Enter the next code it shows to finish signing in.
              </p>
            )}

            {accepted && (
              <p className="notice" role="status">
                Your login is ready. Sign in with your new password.
              </p>
            )}
            {notice && (
              <p className="notice" role="status">
                {notice}
              </p>
            )}
            <div role="alert" className={failure ? 'alert alert-error' : 'visually-hidden'}>
              {failure}
            </div>

            <form className="stack" onSubmit={submit} noValidate aria-busy={submitting}>
              <TextField
                ref={usernameInput}
                id="username"
                label="Username"
                value={username}
                onChange={setUsername}
                error={fieldErrors.username}
                autoComplete="username"
                autoCapitalize="none"
                spellCheck={false}
              />
              <TextField
                ref={passwordInput}
                id="password"
                label="Password"
                type={passwordVisible ? 'text' : 'password'}
                value={password}
                onChange={setPassword}
                error={fieldErrors.password}
                autoComplete="current-password"
              />
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={passwordVisible}
                  onChange={(event) => setPasswordVisible(event.target.checked)}
                />
                Show password
              </label>
              {codeRequired && (
                <TextField
                  ref={codeInput}
                  id="otp"
                  label="Authentication code"
                  hint="Your role needs a second step: enter the 6-digit code from your authenticator app."
                  value={code}
                  onChange={setCode}
                  error={fieldErrors.code}
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  maxLength={10}
                  spellCheck={false}
                />
              )}
              <button type="submit" className="button button-primary button-block" disabled={submitting}>
                {submitting ? 'Signing in…' : codeRequired ? 'Verify and sign in' : 'Sign in'}
              </button>
            </form>
            <button
              type="button"
              className="button button-secondary button-block sign-in-alternative"
              onClick={() => setAccepting(true)}
            >
              I have an invitation
            </button>
          </>
        )}
      </main>
      <p className="sign-in-footnote">
        For authorized users only. Every access to health records is recorded in an audit log.
      </p>
    </div>
  );
}
