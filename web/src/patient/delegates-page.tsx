import { useSession } from '../api/session-context.ts';
import { Page } from '../ui/page.tsx';

/**
 * Delegates (parents, guardians, proxies). Listing and adding them needs a delegation API that the server
 * does not offer yet; until then the page says how to add one instead of pretending.
 */
export function DelegatesPage() {
  const { user } = useSession();
  return (
    <Page title="Delegates" lead="People who can see your record and manage your sharing on your behalf.">
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
      <div className="empty-state">
        <p className="empty-state-title">Adding a proxy</p>
        <p>
          To let a family member or carer act for you, ask your clinic’s front desk: they verify the person’s
          identity and link their account to your record. You will see each of their accesses in “Who viewed
          my records”.
        </p>
      </div>
    </Page>
  );
}
