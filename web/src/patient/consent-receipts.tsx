import { bundleResources, fhirBase, type FhirResource } from '../api/fhir.ts';
import { formatDateTime } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { describeConsent, summarizeConsent } from './consent-model.ts';

/** The version history of one consent: each change with when it was made. */
export function ConsentReceipts({ consentId }: { consentId: string }) {
  const { api } = useSession();
  const [state, reload] = useAsync(
    async () =>
      bundleResources<FhirResource>(
        await api.get(`${fhirBase}/Consent/${consentId}/_history`, {
          headers: { accept: 'application/fhir+json' },
        }),
      ),
    consentId,
  );
  return (
    <AsyncView state={state} what="receipts" onRetry={reload} isEmpty={(items) => items.length === 0}>
      {(versions) => (
        <ol className="receipts">
          {versions.map((version, index) => {
            const summary = summarizeConsent(version);
            return (
              <li key={version.meta?.versionId ?? index}>
                <span className="meta">
                  Version {version.meta?.versionId ?? '?'} · {formatDateTime(version.meta?.lastUpdated)} ·{' '}
                  {summary.status === 'active' ? 'in effect' : 'revoked'}
                </span>
                <br />
                {describeConsent(summary)}
              </li>
            );
          })}
        </ol>
      )}
    </AsyncView>
  );
}
