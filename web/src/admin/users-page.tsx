import { useState } from 'react';
import { listUsers } from '../api/admin-users.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { InviteUserForm } from './invite-user-form.tsx';
import { PolicyVersionCard } from './policy-version.tsx';
import { UserRow } from './user-row.tsx';

export function UsersPage() {
  const { api, user } = useSession();
  const [revision, setRevision] = useState(0);
  const [message, setMessage] = useState<string>();
  const [state, reload] = useAsync(() => listUsers(api), String(revision));
  const changed = (text: string) => {
    setMessage(text);
    setRevision((n) => n + 1);
  };
  return (
    <Page title="Users" lead={`Accounts and roles of ${user.institution.name}.`} wide>
      <p role="status" className={message ? 'notice' : 'visually-hidden'}>
        {message}
      </p>
      <AsyncView state={state} what="users" onRetry={reload} isEmpty={(users) => users.length === 0}>
        {(users) => (
          <ul className="item-list" aria-label="Users">
            {users.map((managed) => (
              <UserRow key={managed.id} user={managed} onChanged={changed} />
            ))}
          </ul>
        )}
      </AsyncView>
      <div className="two-columns">
        <InviteUserForm onCreated={changed} />
        <PolicyVersionCard />
      </div>
    </Page>
  );
}
