import type { ReactNode } from 'react';
import { useSession } from '../api/session-context.ts';
import { useSelectedPatient } from '../clinician/selected-patient.tsx';
import type { PurposeOfUse } from '../api/fhir.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { CategoryContent } from './category-content.tsx';
import { loadCategory, type CategoryDefinition } from './record-categories.ts';
import { RestrictedNotice } from './restricted-notice.tsx';

interface CategoryPanelProps {
  category: CategoryDefinition;
  patientId: string;
  purpose?: PurposeOfUse;
  /** Shown under a restriction, e.g. the break-glass button. */
  restrictedActions?: ReactNode;
  /** Changes to reload, e.g. after writing a note or starting break-glass. */
  revision?: number;
}

/** One category of one patient's record: loading, error, restricted, empty or the content. */
export function CategoryPanel({
  category,
  patientId,
  purpose,
  restrictedActions,
  revision = 0,
}: CategoryPanelProps) {
  const { api } = useSession();
  const { seen } = useSelectedPatient();
  const [state, reload] = useAsync(
    () => loadCategory(api, category, patientId, purpose, seen),
    `${category.id}|${patientId}|${purpose ?? ''}|${revision}`,
  );
  return (
    <AsyncView
      state={state}
      what={category.plain}
      onRetry={reload}
      isEmpty={(content) => !content.restriction && content.resources.length === 0}
      empty={<p>No {category.plain} on record.</p>}
    >
      {(content) => (
        <>
          {content.restriction && (
            <RestrictedNotice what={category.label} restriction={content.restriction}>
              {restrictedActions}
            </RestrictedNotice>
          )}
          {content.resources.length > 0 && (
            <CategoryContent category={category.id} resources={content.resources} />
          )}
        </>
      )}
    </AsyncView>
  );
}
