import { conceptText, formatDate, firstConcept } from '../api/fhir-display.ts';
import type { FhirResource } from '../api/fhir.ts';

export function SummaryLists({ resources }: { resources: FhirResource[] }) {
  const conditions = resources.filter((r) => r.resourceType === 'Condition');
  const allergies = resources.filter((r) => r.resourceType === 'AllergyIntolerance');
  return (
    <div className="two-columns">
      <section aria-labelledby="conditions-title">
        <h3 id="conditions-title">Conditions</h3>
        {conditions.length === 0 ? (
          <p className="meta">No conditions recorded.</p>
        ) : (
          <ul className="plain-list">
            {conditions.map((condition, index) => (
              <li key={condition.id ?? index}>
                <strong>{conceptText(condition.code) || 'Condition'}</strong>
                <span className="meta">
                  {' '}
                  {firstConcept(condition.clinicalStatus)}
                  {condition.onsetDateTime ? ` · since ${formatDate(condition.onsetDateTime)}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="allergies-title">
        <h3 id="allergies-title">Allergies</h3>
        {allergies.length === 0 ? (
          <p className="meta">No known allergies recorded.</p>
        ) : (
          <ul className="plain-list">
            {allergies.map((allergy, index) => (
              <li key={allergy.id ?? index}>
                <strong>{conceptText(allergy.code) || 'Allergy'}</strong>
                <span className="meta"> {String(allergy.criticality ?? '')}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
