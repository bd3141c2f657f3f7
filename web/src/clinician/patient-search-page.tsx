import { useState, type FormEvent } from 'react';
import { fhirSearch, type FhirResource } from '../api/fhir.ts';
import { formatDate, humanName } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { navigate } from '../shell/location.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { TextField } from '../ui/text-field.tsx';
import { EmergencyOpenForm } from './emergency-open-form.tsx';
import { useSelectedPatient, type SelectedPatient } from './selected-patient.tsx';

function toSelected(patient: FhirResource): SelectedPatient {
  return {
    id: patient.id ?? '',
    name: humanName(patient.name),
    birthDate: typeof patient.birthDate === 'string' ? patient.birthDate : undefined,
    gender: typeof patient.gender === 'string' ? patient.gender : undefined,
  };
}

/** Search is a form (POST-like, in memory): the name typed never goes into the page address. */
export function PatientSearchPage() {
  const { api } = useSession();
  const { select } = useSelectedPatient();
  const [text, setText] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [state, reload] = useAsync(
    () => fhirSearch(api, 'Patient', { name: submitted || undefined, _count: '25' }, 'TREAT'),
    submitted,
  );

  function search(event: FormEvent) {
    event.preventDefault();
    setSubmitted(text.trim());
  }

  function open(patient: SelectedPatient) {
    select(patient);
    navigate('/patients/chart');
  }

  return (
    <Page
      title="Patients"
      lead="Patients you may see: your care relationships, and patients who shared with you."
    >
      <form className="search-row" role="search" onSubmit={search}>
        <TextField id="patient-name" label="Patient name" type="search" value={text} onChange={setText} />
        <button type="submit" className="button button-primary">
          Search
        </button>
      </form>
      <AsyncView
        state={state}
        what="patients"
        onRetry={reload}
        isEmpty={(result) => result.resources.length === 0}
        empty={<p>No patient you may see matches {submitted ? `“${submitted}”` : 'yet'}.</p>}
      >
        {(result) => (
          <ul className="item-list patient-results" aria-label="Search results">
            {result.resources.map(toSelected).map((patient) => (
              <li key={patient.id} className="card patient-result">
                <div>
                  <p className="patient-name">{patient.name}</p>
                  <p className="meta">
                    {patient.birthDate ? `Born ${formatDate(patient.birthDate)}` : ''}
                    {patient.gender ? ` · ${patient.gender}` : ''}
                  </p>
                </div>
                <button type="button" className="button button-secondary" onClick={() => open(patient)}>
                  Open chart<span className="visually-hidden"> of {patient.name}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </AsyncView>
      <EmergencyOpenForm onOpen={(id) => open({ id, name: `patient ${id}` })} />
    </Page>
  );
}
