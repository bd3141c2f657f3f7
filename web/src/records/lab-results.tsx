import {
  conceptText,
  formatDate,
  interpretationCode,
  quantityOf,
  referenceBounds,
  referenceRangeText,
} from '../api/fhir-display.ts';
import type { FhirResource } from '../api/fhir.ts';
import { LabTrendChart } from './lab-trend-chart.tsx';

interface LabTest {
  name: string;
  results: FhirResource[];
}

/** Observations grouped by test, newest first within each test. */
function groupByTest(observations: FhirResource[]): LabTest[] {
  const tests = new Map<string, LabTest>();
  for (const observation of observations) {
    const name = conceptText(observation.code) || 'Unnamed test';
    const test = tests.get(name) ?? { name, results: [] };
    test.results.push(observation);
    tests.set(name, test);
  }
  for (const test of tests.values()) {
    test.results.sort((a, b) => String(b.effectiveDateTime).localeCompare(String(a.effectiveDateTime)));
  }
  return [...tests.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const flagText: Record<string, string> = {
  H: 'High',
  HH: 'Critically high',
  L: 'Low',
  LL: 'Critically low',
  A: 'Abnormal',
  POS: 'Positive',
};

function valueText(observation: FhirResource): string {
  const quantity = quantityOf(observation.valueQuantity);
  if (quantity) return String(quantity.value);
  if (typeof observation.valueString === 'string') return observation.valueString;
  return conceptText(observation.valueCodeableConcept) || '—';
}

export function LabResults({ observations }: { observations: FhirResource[] }) {
  return (
    <div className="lab-tests">
      {groupByTest(observations).map((test) => {
        const latest = test.results[0];
        const unit = quantityOf(latest?.valueQuantity)?.unit ?? '';
        const { low, high } = referenceBounds(latest?.referenceRange);
        const points = test.results.flatMap((result) => {
          const quantity = quantityOf(result.valueQuantity);
          const at = new Date(String(result.effectiveDateTime));
          return quantity && !Number.isNaN(at.getTime()) ? [{ at, value: quantity.value }] : [];
        });
        return (
          <section className="card lab-test" key={test.name} aria-label={test.name}>
            <h3>{test.name}</h3>
            {points.length >= 2 && (
              <LabTrendChart title={test.name} unit={unit} points={points} low={low} high={high} />
            )}
            <div className="table-scroll" tabIndex={0} role="region" aria-label={`${test.name} results`}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Value</th>
                    <th scope="col">Unit</th>
                    <th scope="col">Reference range</th>
                    <th scope="col">Flag</th>
                  </tr>
                </thead>
                <tbody>
                  {test.results.map((result, index) => {
                    const flag = interpretationCode(result.interpretation);
                    return (
                      <tr key={result.id ?? index}>
                        <td>{formatDate(result.effectiveDateTime)}</td>
                        <td className="numeric">{valueText(result)}</td>
                        <td>{quantityOf(result.valueQuantity)?.unit ?? ''}</td>
                        <td>{referenceRangeText(result.referenceRange)}</td>
                        <td>
                          {flag && flagText[flag] ? (
                            <span className="badge badge-warning">{flagText[flag] ?? flag}</span>
                          ) : (
                            ''
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        );
      })}
    </div>
  );
}
