import { useState } from 'react';
import { accessLogCsvPath, downloadText, fetchAccessLog, type AccessLogEntry } from '../api/audit.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { AccessLogFilterForm, noFilters } from './access-log-filters.tsx';
import { AccessLogTable } from './access-log-table.tsx';
import { PortalPatientPicker } from './portal-patient-picker.tsx';
import { usePortalPatient } from './portal-patient.tsx';

export function AccessLogPage() {
  const { api, user } = useSession();
  const { patientId } = usePortalPatient();
  // The own record needs no parameter; a delegate names the record they act for.
  const patient = patientId && patientId !== user.patientId ? patientId : undefined;
  const [filters, setFilters] = useState(noFilters);
  const [more, setMore] = useState<AccessLogEntry[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [exportError, setExportError] = useState<string>();
  const [state, reload] = useAsync(
    async () => {
      const page = await fetchAccessLog(api, filters, patient);
      setMore([]);
      setCursor(page.next);
      return page;
    },
    `${JSON.stringify(filters)}|${patient ?? ''}`,
  );

  async function loadMore() {
    if (!cursor) return;
    const page = await fetchAccessLog(api, filters, patient, cursor);
    setMore([...more, ...page.entries]);
    setCursor(page.next);
  }

  async function exportCsv() {
    setExportError(undefined);
    try {
      downloadText(await api.getText(accessLogCsvPath(filters, patient)), 'access-history.csv', 'text/csv');
    } catch (error) {
      setExportError(describeApiError(error));
    }
  }

  return (
    <Page
      title="Who viewed my records"
      lead="Every access to your record: who, from which institution, what, when and why. Emergency accesses are highlighted."
      wide
      actions={
        <>
          <button type="button" className="button button-secondary no-print" onClick={exportCsv}>
            Export CSV
          </button>
          <button type="button" className="button button-secondary no-print" onClick={() => window.print()}>
            Print or save as PDF
          </button>
        </>
      }
    >
      <PortalPatientPicker />
      {exportError && (
        <p className="alert alert-error" role="alert">
          {exportError}
        </p>
      )}
      <AccessLogFilterForm onApply={setFilters} />
      <AsyncView
        state={state}
        what="the access history"
        onRetry={reload}
        isEmpty={(page) => page.entries.length === 0}
        empty={<p>No accesses match these filters.</p>}
      >
        {(page) => (
          <>
            <AccessLogTable entries={[...page.entries, ...more]} />
            {cursor && (
              <button type="button" className="button button-secondary no-print" onClick={loadMore}>
                Show older accesses
              </button>
            )}
          </>
        )}
      </AsyncView>
    </Page>
  );
}
