import { useState } from 'react';
import { fhirSearch } from '../api/fhir.ts';
import { formatDateTime } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { toAuditRow } from './audit-event-row.ts';
import { AuditSearchForm, emptyAuditQuery, type AuditQuery } from './audit-search-form.tsx';

function searchParams(query: AuditQuery): Record<string, string | string[] | undefined> {
  return {
    patient: query.patient.trim() || undefined,
    agent: query.agent.trim() || undefined,
    date: [query.from ? `ge${query.from}` : '', query.to ? `le${query.to}` : ''].filter(Boolean),
    purpose: query.purpose || undefined,
    'break-glass': query.breakGlassOnly ? 'true' : undefined,
    outcome: query.outcome || undefined,
    _count: '100',
  };
}

export function AuditSearchPage() {
  const { api } = useSession();
  const [query, setQuery] = useState(emptyAuditQuery);
  const [state, reload] = useAsync(async () => {
    const result = await fhirSearch(api, 'AuditEvent', searchParams(query), 'HOPERAT');
    return result.resources.map(toAuditRow).filter((row) => !query.breakGlassOnly || row.breakGlass);
  }, JSON.stringify(query));
  return (
    <Page title="Audit" lead="Who accessed which records, when, and for what purpose." wide>
      <AuditSearchForm onSearch={setQuery} />
      <AsyncView
        state={state}
        what="audit events"
        onRetry={reload}
        isEmpty={(rows) => rows.length === 0}
        empty={<p>No audit events match this search.</p>}
      >
        {(rows) => (
          <div className="table-scroll" tabIndex={0} role="region" aria-label="Audit events table">
            <table>
              <caption className="visually-hidden">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Patient</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row, index) => (
                  <tr key={row.id || index} className={row.breakGlass ? 'row-break-glass' : undefined}>
                    <td>{formatDateTime(row.at)}</td>
                    <td>{row.who}</td>
                    <td>{row.action}</td>
                    <td>{row.patient}</td>
                    <td>
                      {row.breakGlass && <span className="badge badge-danger">Break-glass</span>}{' '}
                      {row.purpose}
                    </td>
                    <td>{row.outcome}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </AsyncView>
    </Page>
  );
}
