import { useState, type FormEvent } from 'react';
import { createUser, temporaryPassword } from '../api/admin-users.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { useSession } from '../api/session-context.ts';
import { TextField } from '../ui/text-field.tsx';
import { RoleCheckboxes } from './role-checkboxes.tsx';

/**
 * Invites a person: creates their account with a one-time temporary password to hand over in person.
 * Privileged roles enroll an authenticator at first sign-in.
 */
export function InviteUserForm({ onCreated }: { onCreated: (message: string) => void }) {
  const { api } = useSession();
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [practitionerId, setPractitionerId] = useState('');
  const [patientId, setPatientId] = useState('');
  const [issued, setIssued] = useState<{ username: string; password: string }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!username.trim() || !name.trim() || roles.length === 0) {
      return setError('Enter a username, a name and at least one role.');
    }
    const password = temporaryPassword();
    setBusy(true);
    setError(undefined);
    try {
      await createUser(api, {
        username: username.trim().toLowerCase(),
        name: name.trim(),
        password,
        roles,
        ...(practitionerId.trim() ? { practitionerId: practitionerId.trim() } : {}),
        ...(patientId.trim() ? { patientId: patientId.trim() } : {}),
      });
      setIssued({ username: username.trim().toLowerCase(), password });
      setUsername('');
      setName('');
      setRoles([]);
      onCreated(`${name.trim()} was invited.`);
    } catch (failure) {
      setError(describeApiError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a user</h2>
      <TextField
        id="invite-username"
        label="Username"
        value={username}
        onChange={setUsername}
        autoCapitalize="none"
        spellCheck={false}
      />
      <TextField id="invite-name" label="Full name" value={name} onChange={setName} />
      <RoleCheckboxes idPrefix="invite-role" roles={roles} onChange={setRoles} />
      <TextField
        id="invite-practitioner"
        label="Practitioner id (clinicians, optional)"
        value={practitionerId}
        onChange={setPractitionerId}
      />
      <TextField
        id="invite-patient"
        label="Patient id (patients and delegates)"
        value={patientId}
        onChange={setPatientId}
      />
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {issued && (
        <div className="notice" role="status">
          <p>
            Account <strong>{issued.username}</strong> created. Give this one-time password to the person in
            person; it is not shown again:
          </p>
          <p className="secret">{issued.password}</p>
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Inviting…' : 'Invite'}
        </button>
      </div>
    </form>
  );
}
