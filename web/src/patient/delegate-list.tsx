import { useState } from 'react';
import {
  cancelInvitation,
  formatDay,
  relationshipLabels,
  removeDelegate,
  type Delegate,
  type DelegateInvitation,
  type DelegateListing,
} from '../api/delegates.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { formatDate } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';

type Changed = (message: string) => void;

/** A change that needs a second click ("Remove…" then "Yes, remove now"), with its own busy and error state. */
function ConfirmedAction({
  label,
  confirmLabel,
  keepLabel,
  busyLabel,
  run,
}: {
  label: string;
  confirmLabel: string;
  keepLabel: string;
  busyLabel: string;
  run: () => Promise<void>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  async function confirm() {
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (failure) {
      setError(describeApiError(failure));
      setBusy(false);
      setConfirming(false);
    }
  }
  return (
    <>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {confirming ? (
        <div className="button-row">
          <button type="button" className="button button-danger" onClick={confirm} disabled={busy}>
            {busy ? busyLabel : confirmLabel}
          </button>
          <button type="button" className="button button-secondary" onClick={() => setConfirming(false)}>
            {keepLabel}
          </button>
        </div>
      ) : (
        <button type="button" className="button button-secondary" onClick={() => setConfirming(true)}>
          {label}
        </button>
      )}
    </>
  );
}

function DelegateCard({
  delegate,
  scope,
  onChanged,
}: {
  delegate: Delegate;
  scope: DelegateListing['scope'];
  onChanged: Changed;
}) {
  const { api } = useSession();
  const active = delegate.status === 'active';
  return (
    <li className="card stack delegate" aria-label={delegate.name}>
      <p className="patient-name">{delegate.name}</p>
      <p className="meta">
        <span className={active ? 'badge badge-ok' : 'badge'}>{active ? 'Active' : 'Ended'}</span>
        <span>{relationshipLabels[delegate.relationship]}</span>
      </p>
      <dl className="facts">
        <dt>Since</dt>
        <dd>{formatDate(delegate.since)}</dd>
        <dt>Until</dt>
        <dd>{delegate.endsOn ? `${formatDay(delegate.endsOn)} (included)` : 'You remove them'}</dd>
        <dt>Can</dt>
        <dd>
          See your {scope.reads} and manage your {scope.manages}
        </dd>
        <dt>Cannot</dt>
        <dd>See {scope.excluded} or write in your record</dd>
      </dl>
      <ConfirmedAction
        label={`Remove ${delegate.name}…`}
        confirmLabel="Yes, remove now"
        keepLabel="Keep"
        busyLabel="Removing…"
        run={async () => {
          await removeDelegate(api, delegate.id);
          onChanged(`${delegate.name} was removed and signed out. They can no longer see your record.`);
        }}
      />
    </li>
  );
}

function InvitationCard({ invitation, onChanged }: { invitation: DelegateInvitation; onChanged: Changed }) {
  const { api } = useSession();
  return (
    <li className="card stack" aria-label={`Invitation for ${invitation.name}`}>
      <p className="patient-name">{invitation.name}</p>
      <p className="meta">
        <span className="badge badge-warning">Not accepted yet</span>
        <span>{relationshipLabels[invitation.relationship]}</span>
      </p>
      <dl className="facts">
        <dt>Email</dt>
        <dd>{invitation.email}</dd>
        <dt>Code valid until</dt>
        <dd>{formatDate(invitation.expiresAt)}</dd>
        <dt>Access until</dt>
        <dd>{invitation.endsOn ? `${formatDay(invitation.endsOn)} (included)` : 'You remove them'}</dd>
      </dl>
      <ConfirmedAction
        label="Cancel invitation…"
        confirmLabel="Yes, cancel it"
        keepLabel="Keep it"
        busyLabel="Cancelling…"
        run={async () => {
          await cancelInvitation(api, invitation.id);
          onChanged(`The invitation for ${invitation.name} was cancelled.`);
        }}
      />
    </li>
  );
}

export function DelegateList({ listing, onChanged }: { listing: DelegateListing; onChanged: Changed }) {
  return (
    <>
      <section aria-labelledby="delegates-title" className="stack">
        <h2 id="delegates-title">Your delegates</h2>
        {listing.delegates.length === 0 ? (
          <div className="empty-state">
            <p>Nobody can act for you. Add a proxy below if a family member or carer should help you.</p>
          </div>
        ) : (
          <ul className="item-list">
            {listing.delegates.map((delegate) => (
              <DelegateCard
                key={delegate.id}
                delegate={delegate}
                scope={listing.scope}
                onChanged={onChanged}
              />
            ))}
          </ul>
        )}
      </section>
      {listing.invitations.length > 0 && (
        <section aria-labelledby="invitations-title" className="stack">
          <h2 id="invitations-title">Invitations waiting</h2>
          <ul className="item-list">
            {listing.invitations.map((invitation) => (
              <InvitationCard key={invitation.id} invitation={invitation} onChanged={onChanged} />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
