import { useCallback, useEffect, useMemo, useState } from 'react';
import { activeBreakGlass, type BreakGlassGrant } from '../api/break-glass.ts';
import type { PurposeOfUse } from '../api/fhir.ts';
import { useSession } from '../api/session-context.ts';
import { RecordTabs } from '../records/record-tabs.tsx';
import { AppLink } from '../shell/app-link.tsx';
import { Page } from '../ui/page.tsx';
import { BreakGlassCountdown } from './break-glass-countdown.tsx';
import { BreakGlassForm } from './break-glass-form.tsx';
import { ChartDemographics } from './chart-demographics.tsx';
import { ChartWritePanel } from './chart-write-panel.tsx';
import { mayBreakGlass, purposesFor } from './clinical-roles.ts';
import { PurposeSelector } from './purpose-selector.tsx';
import { useSelectedPatient } from './selected-patient.tsx';

export function PatientChartPage() {
  const { patient } = useSelectedPatient();
  if (!patient) {
    return (
      <Page title="Chart">
        <div className="empty-state">
          <p>No chart is open.</p>
          <p>
            <AppLink to="/patients">Find a patient</AppLink>
          </p>
        </div>
      </Page>
    );
  }
  return <Chart patientId={patient.id} name={patient.name} />;
}

function Chart({ patientId, name }: { patientId: string; name: string }) {
  const { api, user } = useSession();
  const allowed = useMemo(() => purposesFor(user.roles), [user.roles]);
  const [purpose, setPurpose] = useState<PurposeOfUse>(allowed[0] ?? 'TREAT');
  const [grant, setGrant] = useState<BreakGlassGrant>();
  const [askingBreakGlass, setAskingBreakGlass] = useState(false);
  const [revision, setRevision] = useState(0);
  const [message, setMessage] = useState<string>();

  // A grant started earlier (e.g. before a reload of the chart) still applies.
  useEffect(() => {
    let current = true;
    activeBreakGlass(api).then(
      (grants) => {
        const active = grants.find((item) => item.patient === patientId);
        if (current && active) {
          setGrant(active);
          setPurpose('BTG');
        }
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api, patientId]);

  const expired = useCallback(() => {
    setGrant(undefined);
    setPurpose(allowed[0] ?? 'TREAT');
    setMessage('Emergency access has ended.');
    setRevision((n) => n + 1);
  }, [allowed]);

  const canBreakGlass = mayBreakGlass(user.roles) && !grant;
  const breakGlassButton = canBreakGlass ? (
    <button type="button" className="button button-danger" onClick={() => setAskingBreakGlass(true)}>
      Emergency access (break-glass)…
    </button>
  ) : undefined;

  return (
    <Page title={`Chart: ${name}`} wide>
      <div className="toolbar">
        <PurposeSelector
          value={purpose}
          allowed={grant ? ['BTG', ...allowed] : allowed}
          onChange={setPurpose}
        />
        {!askingBreakGlass && breakGlassButton}
      </div>
      <p role="status" className={message ? 'notice' : 'visually-hidden'}>
        {message}
      </p>
      {grant && <BreakGlassCountdown expiresAt={grant.expiresAt} onExpired={expired} />}
      {askingBreakGlass && (
        <BreakGlassForm
          patientId={patientId}
          onCancel={() => setAskingBreakGlass(false)}
          onGranted={(granted) => {
            setGrant(granted);
            setPurpose('BTG');
            setAskingBreakGlass(false);
            setMessage('Emergency access granted.');
            setRevision((n) => n + 1);
          }}
        />
      )}
      <ChartDemographics
        patientId={patientId}
        purpose={purpose}
        revision={revision}
        restrictedActions={askingBreakGlass ? undefined : breakGlassButton}
      />
      <ChartWritePanel
        patientId={patientId}
        purpose={purpose}
        onSaved={(text) => {
          setMessage(text);
          setRevision((n) => n + 1);
        }}
      />
      <RecordTabs
        patientId={patientId}
        purpose={purpose}
        restrictedActions={askingBreakGlass ? undefined : breakGlassButton}
        revision={revision}
      />
    </Page>
  );
}
