import { useState } from 'react';
import type { PurposeOfUse } from '../api/fhir.ts';
import { useSession } from '../api/session-context.ts';
import { canWrite } from './clinical-roles.ts';
import { MedicationOrderForm } from './medication-order-form.tsx';
import { WriteNoteForm } from './write-note-form.tsx';
import { WriteResultForm } from './write-result-form.tsx';

type Form = 'note' | 'result' | 'medication';

/** Offers only the forms the user's role may use; the server still decides each write. */
export function ChartWritePanel({
  patientId,
  purpose,
  onSaved,
}: {
  patientId: string;
  purpose: PurposeOfUse;
  onSaved: (message: string) => void;
}) {
  const { user } = useSession();
  const [open, setOpen] = useState<Form>();
  const forms: { id: Form; label: string }[] = [
    ...(canWrite(user.roles, 'notes') ? [{ id: 'note' as const, label: 'Write a note' }] : []),
    ...(canWrite(user.roles, 'labs') ? [{ id: 'result' as const, label: 'Record a result' }] : []),
    ...(canWrite(user.roles, 'medications')
      ? [{ id: 'medication' as const, label: 'Order a medication' }]
      : []),
  ];
  if (forms.length === 0) return null;
  const props = { patientId, practitionerId: user.practitionerId, purpose, onSaved };
  return (
    <section className="write-panel" aria-label="Add to the chart">
      <div className="button-row">
        {forms.map((form) => (
          <button
            key={form.id}
            type="button"
            className="button button-secondary"
            aria-expanded={open === form.id}
            onClick={() => setOpen(open === form.id ? undefined : form.id)}
          >
            {form.label}
          </button>
        ))}
      </div>
      {open === 'note' && <WriteNoteForm {...props} />}
      {open === 'result' && <WriteResultForm {...props} />}
      {open === 'medication' && <MedicationOrderForm {...props} />}
    </section>
  );
}
