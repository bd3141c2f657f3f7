import { useState, type FormEvent } from 'react';
import { inviteDelegate, relationshipLabels, type Relationship } from '../api/delegates.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { formatDate } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';
import { SelectField } from '../ui/select-field.tsx';
import { TextField } from '../ui/text-field.tsx';

interface FieldErrors {
  name?: string;
  email?: string;
  endsOn?: string;
}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Invites a proxy: the server answers with a one-time code, shown once, that the person uses to create
 * their own login. Nothing is sent by email; the patient hands the code over themself.
 */
export function InviteDelegateForm({ onInvited }: { onInvited: (message: string) => void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [relationship, setRelationship] = useState<Relationship>('proxy');
  const [endsOn, setEndsOn] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{ name: string; code: string; expiresAt: string }>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    if (!name.trim()) found.name = 'Enter the person’s full name.';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) found.email = 'Enter a valid email address.';
    if (endsOn && endsOn < today()) found.endsOn = 'Choose today or a later date, or leave it empty.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setFailure(undefined);
    try {
      const result = await inviteDelegate(api, {
        name: name.trim(),
        email: email.trim(),
        relationship,
        ...(endsOn ? { endsOn } : {}),
      });
      setIssued({ name: name.trim(), code: result.code, expiresAt: result.invitation.expiresAt });
      setName('');
      setEmail('');
      setEndsOn('');
      onInvited(`${name.trim()} was invited.`);
    } catch (error) {
      setFailure(describeApiError(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="invite-delegate-title" noValidate>
      <h2 id="invite-delegate-title">Add a proxy</h2>
      <p>
        A proxy can see your records (except restricted ones such as mental health) and manage your sharing
        choices. They cannot write in your record. You can remove them at any time.
      </p>
      <TextField id="delegate-name" label="Full name" value={name} onChange={setName} error={errors.name} />
      <TextField
        id="delegate-email"
        label="Email"
        value={email}
        onChange={setEmail}
        error={errors.email}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
      />
      <SelectField
        id="delegate-relationship"
        label="Relationship to you"
        value={relationship}
        onChange={(value) => setRelationship(value as Relationship)}
        options={Object.entries(relationshipLabels).map(([value, label]) => ({ value, label }))}
      />
      <TextField
        id="delegate-ends"
        label="Access ends after (optional)"
        hint="Leave empty to keep access until you remove it."
        type="date"
        value={endsOn}
        onChange={setEndsOn}
        error={errors.endsOn}
      />
      {failure && (
        <p className="alert alert-error" role="alert">
          {failure}
        </p>
      )}
      {issued && (
        <div className="notice" role="status">
          <p>
            Give this invitation code to <strong>{issued.name}</strong> yourself. They use it on the sign-in
            page (“I have an invitation”) to create their own login. It works once, until{' '}
            {formatDate(issued.expiresAt)}, and is not shown again:
          </p>
          <p className="secret">{issued.code}</p>
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Inviting…' : 'Create invitation'}
        </button>
      </div>
    </form>
  );
}
