import { conceptText, formatDate } from '../api/fhir-display.ts';
import type { FhirResource } from '../api/fhir.ts';
import { isRecord } from '../api/request-json.ts';

function dosageText(medication: FhirResource): string {
  const dosage = Array.isArray(medication.dosageInstruction)
    ? medication.dosageInstruction[0]
    : Array.isArray(medication.dosage)
      ? medication.dosage[0]
      : undefined;
  return isRecord(dosage) && typeof dosage.text === 'string' ? dosage.text : '';
}

export function MedicationList({ medications }: { medications: FhirResource[] }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Medications table">
      <table>
        <thead>
          <tr>
            <th scope="col">Medication</th>
            <th scope="col">How to take</th>
            <th scope="col">Status</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {medications.map((medication, index) => (
            <tr key={medication.id ?? index}>
              <td>
                {conceptText(medication.medicationCodeableConcept) || 'Medication'}
                {medication.resourceType === 'MedicationStatement' && (
                  <span className="meta"> (reported by patient)</span>
                )}
              </td>
              <td>{dosageText(medication)}</td>
              <td>{String(medication.status ?? '')}</td>
              <td>{formatDate(medication.authoredOn ?? medication.dateAsserted)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
