import type { ReactNode } from 'react';
import {
  fhirRead,
  restrictionOf,
  type FhirResource,
  type PurposeOfUse,
  type Restriction,
} from '../api/fhir.ts';
import { formatDate, humanName } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { RestrictedNotice } from '../records/restricted-notice.tsx';
import { AsyncView } from '../ui/async-view.tsx';

type Demographics = { patient: FhirResource } | { restriction: Restriction };

/** The patient's demographics under the chosen purpose; a 403 says the whole record is restricted, and why. */
export function ChartDemographics({
  patientId,
  purpose,
  revision,
  restrictedActions,
}: {
  patientId: string;
  purpose: PurposeOfUse;
  revision: number;
  restrictedActions?: ReactNode;
}) {
  const { api } = useSession();
  const [state, reload] = useAsync(async (): Promise<Demographics> => {
    try {
      return { patient: await fhirRead(api, `Patient/${patientId}`, purpose) };
    } catch (error) {
      const restriction = restrictionOf(error);
      if (restriction) return { restriction };
      throw error;
    }
  }, `${patientId}|${purpose}|${revision}`);
  return (
    <AsyncView state={state} what="the patient's details" onRetry={reload}>
      {(result) =>
        'restriction' in result ? (
          <RestrictedNotice what="This patient’s record" restriction={result.restriction}>
            {restrictedActions}
          </RestrictedNotice>
        ) : (
          <p className="meta chart-demographics">
            {humanName(result.patient.name)}
            {typeof result.patient.birthDate === 'string'
              ? ` · born ${formatDate(result.patient.birthDate)}`
              : ''}
            {typeof result.patient.gender === 'string' ? ` · ${result.patient.gender}` : ''}
          </p>
        )
      }
    </AsyncView>
  );
}
