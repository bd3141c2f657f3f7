import { useState, type FormEvent } from 'react';
import { formatDateTime } from '../api/fhir-display.ts';
import { isRecord } from '../api/request-json.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { TextField } from '../ui/text-field.tsx';

interface Disclosure {
  at: string;
  recipient: string;
  purpose: string;
  description: string;
}

function toDisclosures(body: unknown): Disclosure[] {
  const items =
    isRecord(body) && Array.isArray(body.disclosures)
      ? body.disclosures
      : isRecord(body) && Array.isArray(body.entries)
        ? body.entries
        : [];
  const text = (value: unknown) =>
    typeof value === 'string'
      ? value
      : isRecord(value)
        ? [value.name, value.institution].filter((v) => typeof v === 'string').join(', ')
        : '';
  return items.filter(isRecord).map((item) => ({
    at: text(item.at ?? item.date),
    recipient: text(item.recipient ?? item.actor),
    purpose: text(item.purpose),
    description: text(item.description ?? item.category),
  }));
}

/** HIPAA §164.528 accounting of disclosures for one patient (six years). */
export function DisclosuresPage() {
  const { api } = useSession();
  const [text, setText] = useState('');
  const [patient, setPatient] = useState('');
  const [state, reload] = useAsync(
    async () =>
      patient ? toDisclosures(await api.get(`/api/patients/${encodeURIComponent(patient)}/disclosures`)) : [],
    patient,
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    setPatient(text.trim());
  }
  return (
    <Page
      title="Disclosures"
      lead="The accounting of disclosures of a patient’s records over the last six years."
      wide
    >
      <form className="search-row" onSubmit={submit} role="search">
        <TextField id="disclosure-patient" label="Patient id" value={text} onChange={setText} />
        <button type="submit" className="button button-primary">
          Show disclosures
        </button>
      </form>
      {patient && (
        <AsyncView
          state={state}
          what="disclosures"
          onRetry={reload}
          isEmpty={(items) => items.length === 0}
          empty={<p>No disclosures recorded for this patient.</p>}
        >
          {(items) => (
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Disclosures table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Recipient</th>
                    <th scope="col">Purpose</th>
                    <th scope="col">What</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item, index) => (
                    <tr key={index}>
                      <td>{formatDateTime(item.at)}</td>
                      <td>{item.recipient}</td>
                      <td>{item.purpose}</td>
                      <td>{item.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </AsyncView>
      )}
    </Page>
  );
}
