import { useState } from 'react';
import { TextField } from '../ui/text-field.tsx';
import { WriteFormFrame } from './write-form-frame.tsx';
import type { WriteProps } from './write-note-form.tsx';

export function WriteResultForm({ patientId, practitionerId, purpose, onSaved }: WriteProps) {
  const [test, setTest] = useState('');
  const [loinc, setLoinc] = useState('');
  const [value, setValue] = useState('');
  const [unit, setUnit] = useState('');
  return (
    <WriteFormFrame
      id="write-result"
      title="Record a lab result"
      purpose={purpose}
      onSaved={(message) => {
        setValue('');
        onSaved(message);
      }}
      build={() => {
        const number = Number(value);
        if (!test.trim() || value.trim() === '' || Number.isNaN(number))
          return 'Enter the test and a numeric value.';
        return {
          resourceType: 'Observation',
          status: 'final',
          category: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' },
              ],
            },
          ],
          code: {
            ...(loinc.trim() ? { coding: [{ system: 'http://loinc.org', code: loinc.trim() }] } : {}),
            text: test.trim(),
          },
          subject: { reference: `Patient/${patientId}` },
          effectiveDateTime: new Date().toISOString(),
          ...(practitionerId ? { performer: [{ reference: `Practitioner/${practitionerId}` }] } : {}),
          valueQuantity: {
            value: number,
            unit: unit.trim(),
            system: 'http://unitsofmeasure.org',
            code: unit.trim(),
          },
        };
      }}
    >
      <TextField id="result-test" label="Test" value={test} onChange={setTest} />
      <TextField id="result-loinc" label="LOINC code (optional)" value={loinc} onChange={setLoinc} />
      <TextField id="result-value" label="Value" inputMode="decimal" value={value} onChange={setValue} />
      <TextField id="result-unit" label="Unit" value={unit} onChange={setUnit} />
    </WriteFormFrame>
  );
}
