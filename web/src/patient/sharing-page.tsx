import { useState } from 'react';
import { fhirSearch } from '../api/fhir.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { loadActorChoices } from './actor-choices.ts';
import { ConsentCard } from './consent-card.tsx';
import { ConsentForm } from './consent-form.tsx';
import { NoPortalRecord, PortalPatientPicker } from './portal-patient-picker.tsx';
import { usePortalPatient } from './portal-patient.tsx';

export function SharingPage() {
  const { patientId } = usePortalPatient();
  return (
    <Page
      title="Sharing"
      lead="Choose who may see which parts of your record, and why. Changes apply immediately."
    >
      <PortalPatientPicker />
      {patientId ? <SharingSettings patientId={patientId} /> : <NoPortalRecord />}
    </Page>
  );
}

function SharingSettings({ patientId }: { patientId: string }) {
  const { api } = useSession();
  const [revision, setRevision] = useState(0);
  const [message, setMessage] = useState<string>();
  const [consents, reload] = useAsync(
    () => fhirSearch(api, 'Consent', { patient: patientId, _count: '100' }),
    `${patientId}|${revision}`,
  );
  const [actors] = useAsync(() => loadActorChoices(api, patientId), patientId);
  const changed = (text: string) => {
    setMessage(text);
    setRevision((n) => n + 1);
  };
  return (
    <div className="stack">
      <p role="status" className={message ? 'notice' : 'visually-hidden'}>
        {message}
      </p>
      <section aria-labelledby="choices-title">
        <h2 id="choices-title">Your choices</h2>
        <AsyncView
          state={consents}
          what="your sharing choices"
          onRetry={reload}
          isEmpty={(result) => result.resources.length === 0}
          empty={
            <p>You have not made any sharing choices. Your care team can see your record for your care.</p>
          }
        >
          {(result) => (
            <ul className="item-list">
              {result.resources.map((consent) => (
                <ConsentCard key={consent.id} consent={consent} onChanged={changed} />
              ))}
            </ul>
          )}
        </AsyncView>
      </section>
      <AsyncView state={actors} what="clinics and clinicians">
        {(choices) =>
          choices.length > 0 ? (
            <ConsentForm patientId={patientId} actors={choices} onSaved={changed} />
          ) : (
            <div className="empty-state">
              <p className="empty-state-title">Share or restrict</p>
              <p>No clinics or clinicians can be listed right now. Please try again later.</p>
            </div>
          )
        }
      </AsyncView>
    </div>
  );
}
