import { useState } from 'react';
import { TextField } from '../ui/text-field.tsx';
import { WriteFormFrame } from './write-form-frame.tsx';
import type { WriteProps } from './write-note-form.tsx';

export function MedicationOrderForm({ patientId, practitionerId, purpose, onSaved }: WriteProps) {
  const [medication, setMedication] = useState('');
  const [dosage, setDosage] = useState('');
  return (
    <WriteFormFrame
      id="write-medication"
      title="Order a medication"
      purpose={purpose}
      onSaved={(message) => {
        setMedication('');
        setDosage('');
        onSaved(message);
      }}
      build={() =>
        !medication.trim() || !dosage.trim()
          ? 'Enter the medication and how to take it.'
          : {
              resourceType: 'MedicationRequest',
              status: 'active',
              intent: 'order',
              medicationCodeableConcept: { text: medication.trim() },
              subject: { reference: `Patient/${patientId}` },
              authoredOn: new Date().toISOString(),
              ...(practitionerId ? { requester: { reference: `Practitioner/${practitionerId}` } } : {}),
              dosageInstruction: [{ text: dosage.trim() }],
            }
      }
    >
      <TextField id="medication-name" label="Medication" value={medication} onChange={setMedication} />
      <TextField id="medication-dosage" label="How to take it" value={dosage} onChange={setDosage} />
    </WriteFormFrame>
  );
}
