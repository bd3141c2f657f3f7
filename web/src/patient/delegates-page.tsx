import { useState } from 'react';
import { listDelegates } from '../api/delegates.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { DelegateList } from './delegate-list.tsx';
import { InviteDelegateForm } from './invite-delegate-form.tsx';

/**
 * Delegates (parents, guardians, proxies). A patient lists, invites and removes their own; a delegate
 * sees whose records they help with. Every change is recorded in the patient's access history.
 */
export function DelegatesPage() {
  const { user } = useSession();
  const managesOwn = user.roles.includes('patient') && user.patientId !== undefined;
  return (
    <Page
      title="Delegates"
      lead="People who can see your record and manage your sharing on your behalf. Each of their accesses appears in “Who viewed my records”."
    >
      {user.delegations.length > 0 && (
        <section aria-labelledby="acting-for-title" className="card">
          <h2 id="acting-for-title">Records you help with</h2>
          <ul className="plain-list">
            {user.delegations.map((delegation, index) => (
              <li key={delegation.patientId}>
                Record {index + 1} — you are their {delegation.relationship}
              </li>
            ))}
          </ul>
        </section>
      )}
      {managesOwn ? (
        <OwnDelegates />
      ) : (
        <div className="empty-state">
          <p className="empty-state-title">Only the patient manages their delegates</p>
          <p>To change who can act for a person, that person adds or removes them from their own account.</p>
        </div>
      )}
    </Page>
  );
}

function OwnDelegates() {
  const { api } = useSession();
  const [revision, setRevision] = useState(0);
  const [message, setMessage] = useState<string>();
  const [listing, reload] = useAsync(() => listDelegates(api), String(revision));
  const changed = (text: string) => {
    setMessage(text);
    setRevision((n) => n + 1);
  };
  return (
    <div className="stack">
      <p role="status" className={message ? 'notice' : 'visually-hidden'}>
        {message}
      </p>
      <AsyncView state={listing} what="your delegates" onRetry={reload}>
        {(value) => <DelegateList listing={value} onChanged={changed} />}
      </AsyncView>
      <InviteDelegateForm onInvited={changed} />
    </div>
  );
}
