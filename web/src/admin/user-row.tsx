import { useState } from 'react';
import { resetMfa, setDisabled, setRoles, type ManagedUser } from '../api/admin-users.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { useSession } from '../api/session-context.ts';
import { roleLabel } from '../shell/navigation-by-role.ts';
import { RoleCheckboxes } from './role-checkboxes.tsx';

type Confirming = 'mfa' | 'disable' | undefined;

export function UserRow({ user, onChanged }: { user: ManagedUser; onChanged: (message: string) => void }) {
  const { api } = useSession();
  const [editing, setEditing] = useState(false);
  const [roles, setRoleDraft] = useState(user.roles);
  const [confirming, setConfirming] = useState<Confirming>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>, message: string) {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      setEditing(false);
      setConfirming(undefined);
      onChanged(message);
    } catch (failure) {
      setError(describeApiError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="card user-row" aria-label={user.name}>
      <div className="user-row-main">
        <div>
          <p className="patient-name">
            {user.name} {user.disabled && <span className="badge">Disabled</span>}
          </p>
          <p className="meta">
            {user.username} · {user.roles.map(roleLabel).join(', ')} ·{' '}
            {user.mfaEnrolled ? 'Authenticator enrolled' : 'No authenticator'}
          </p>
        </div>
        <div className="button-row">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setEditing(!editing)}
            aria-expanded={editing}
          >
            Edit roles<span className="visually-hidden"> of {user.name}</span>
          </button>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setConfirming('mfa')}
            disabled={!user.mfaEnrolled}
          >
            Reset MFA<span className="visually-hidden"> of {user.name}</span>
          </button>
          <button
            type="button"
            className="button button-secondary"
            onClick={() =>
              user.disabled
                ? run(() => setDisabled(api, user.id, false), `${user.name} can sign in again.`)
                : setConfirming('disable')
            }
          >
            {user.disabled ? 'Enable' : 'Disable'}
            <span className="visually-hidden"> {user.name}</span>
          </button>
        </div>
      </div>
      {confirming && (
        <div className="confirm" role="group" aria-label="Confirm">
          <p>
            {confirming === 'mfa'
              ? `Reset ${user.name}'s authenticator? They are signed out everywhere and must enroll again at next sign-in.`
              : `Disable ${user.name}? They are signed out everywhere and cannot sign in.`}
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              onClick={() =>
                confirming === 'mfa'
                  ? run(() => resetMfa(api, user.id), `${user.name}'s authenticator was reset.`)
                  : run(() => setDisabled(api, user.id, true), `${user.name} was disabled.`)
              }
            >
              {confirming === 'mfa' ? 'Yes, reset' : 'Yes, disable'}
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setConfirming(undefined)}
            >
              Cancel
            </button>
          </div>
        </div>
      )}
      {editing && (
        <div className="stack">
          <RoleCheckboxes idPrefix={`roles-${user.id}`} roles={roles} onChange={setRoleDraft} />
          <div className="button-row">
            <button
              type="button"
              className="button button-primary"
              disabled={busy || roles.length === 0}
              onClick={() => run(() => setRoles(api, user.id, roles), `${user.name}'s roles were saved.`)}
            >
              Save roles
            </button>
          </div>
        </div>
      )}
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
