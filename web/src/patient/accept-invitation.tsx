import { useState, type FormEvent } from 'react';
import { acceptInvitation } from '../api/delegates.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { ApiError, isRecord } from '../api/request-json.ts';
import { TextField } from '../ui/text-field.tsx';

interface FieldErrors {
  code?: string;
  username?: string;
  password?: string;
  confirm?: string;
}

/** The rules the server applies (identity `passwordRules`), said before the server has to refuse. */
const minPasswordLength = 12;

function serverIssues(error: unknown): FieldErrors {
  if (!(error instanceof ApiError) || !isRecord(error.body) || !Array.isArray(error.body.issues)) return {};
  const found: FieldErrors = {};
  for (const issue of error.body.issues) {
    if (!isRecord(issue) || typeof issue.message !== 'string') continue;
    if (issue.path === 'password') found.password = `The password ${issue.message}.`;
    if (issue.path === 'username') found.username = `The username must use ${issue.message}.`;
  }
  return found;
}

/**
 * A person a patient invited as their proxy redeems the one-time code and creates their own login. Shown
 * on the sign-in page; the code is typed in, never carried in the address.
 */
export function AcceptInvitation({
  onDone,
  onCancel,
}: {
  onDone: (username: string) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (!code.trim()) found.code = 'Enter the invitation code you were given.';
    if (!/^[a-z0-9][a-z0-9._@-]{2,63}$/.test(username.trim()))
      found.username = 'Use 3 to 64 lower-case letters, digits or . _ @ -, starting with a letter or digit.';
    if ([...password].length < minPasswordLength)
      found.password = `Use at least ${minPasswordLength} characters; a few words make a good password.`;
    if (confirm !== password) found.confirm = 'The two passwords are not the same.';
    setErrors(found);
    if (Object.keys(found).length > 0) return setFailure(undefined);
    setBusy(true);
    setFailure(undefined);
    try {
      const accepted = await acceptInvitation({ code: code.trim(), username: username.trim(), password });
      onDone(accepted.username);
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 401)
        return setFailure('This invitation code is not valid. It may have been used, cancelled or expired.');
      if (error instanceof ApiError && error.status === 409)
        return setErrors({ username: 'That username is taken. Choose another one.' });
      const issues = serverIssues(error);
      if (Object.keys(issues).length > 0) return setErrors(issues);
      setFailure(describeApiError(error));
    }
  }

  return (
    <>
      <p className="lead">
        Someone made you their proxy. Enter the code they gave you and choose your own username and password.
      </p>
      <div role="alert" className={failure ? 'alert alert-error' : 'visually-hidden'}>
        {failure}
      </div>
      <form className="stack" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          id="invitation-code"
          label="Invitation code"
          value={code}
          onChange={setCode}
          error={errors.code}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
        />
        <TextField
          id="new-username"
          label="Choose a username"
          value={username}
          onChange={setUsername}
          error={errors.username}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
        />
        <TextField
          id="new-password"
          label="Choose a password"
          hint={`At least ${minPasswordLength} characters, not your username.`}
          type="password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          autoComplete="new-password"
        />
        <TextField
          id="confirm-password"
          label="Repeat the password"
          type="password"
          value={confirm}
          onChange={setConfirm}
          error={errors.confirm}
          autoComplete="new-password"
        />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Creating your login…' : 'Create my login'}
        </button>
        <button type="button" className="button button-secondary button-block" onClick={onCancel}>
          Back to sign in
        </button>
      </form>
    </>
  );
}
