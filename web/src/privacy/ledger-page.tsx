import { fetchLedgerStatus } from '../api/ledger.ts';
import { formatDateTime } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';

export function LedgerPage() {
  const { api } = useSession();
  const [state, reload] = useAsync(() => fetchLedgerStatus(api), 'ledger');
  return (
    <Page
      title="Ledger"
      lead="The audit ledger is an append-only Merkle tree; signed checkpoints let anyone check it was never altered."
      actions={
        <button type="button" className="button button-secondary" onClick={reload}>
          Refresh
        </button>
      }
    >
      <AsyncView
        state={state}
        what="the ledger status"
        onRetry={reload}
        isEmpty={(status) => status === undefined}
        empty={
          <p>
            No checkpoint has been signed yet. The ledger signs one periodically once it holds entries;
            refresh in a moment.
          </p>
        }
      >
        {(status) =>
          status && (
            <div className="stack">
              <section className="card" aria-labelledby="checkpoint-title">
                <h2 id="checkpoint-title">Last checkpoint</h2>
                <dl className="facts">
                  <dt>Log</dt>
                  <dd>{status.origin}</dd>
                  <dt>Entries</dt>
                  <dd>{status.size}</dd>
                  <dt>Root hash</dt>
                  <dd className="hash">{status.rootHash}</dd>
                  {status.timestamp && (
                    <>
                      <dt>Signed at</dt>
                      <dd>{formatDateTime(status.timestamp)}</dd>
                    </>
                  )}
                  <dt>Signed by</dt>
                  <dd>{status.signers.join(', ') || '—'}</dd>
                </dl>
              </section>
              <section className="card" aria-labelledby="verification-title">
                <h2 id="verification-title">Last verification</h2>
                {status.lastVerification ? (
                  <p>
                    <span className={status.lastVerification.ok ? 'badge badge-ok' : 'badge badge-danger'}>
                      {status.lastVerification.ok ? 'Verified' : 'Verification failed'}
                    </span>{' '}
                    {formatDateTime(status.lastVerification.at)} {status.lastVerification.detail}
                  </p>
                ) : (
                  <p>
                    No verification is reported by the server. Run <code>carebase audit verify</code> to
                    re-check the whole log offline against this checkpoint.
                  </p>
                )}
              </section>
              <details>
                <summary>Signed checkpoint text</summary>
                <pre className="note-text">{status.raw}</pre>
              </details>
            </div>
          )
        }
      </AsyncView>
    </Page>
  );
}
