import { conceptText, formatDate } from '../api/fhir-display.ts';
import type { FhirResource } from '../api/fhir.ts';

export function ImagingReports({ reports }: { reports: FhirResource[] }) {
  return (
    <ul className="item-list">
      {[...reports]
        .sort((a, b) => String(b.effectiveDateTime ?? '').localeCompare(String(a.effectiveDateTime ?? '')))
        .map((report, index) => (
          <li className="card" key={report.id ?? index}>
            <h3>{conceptText(report.code) || 'Imaging report'}</h3>
            <p className="meta">{formatDate(report.effectiveDateTime ?? report.issued)}</p>
            <p>{typeof report.conclusion === 'string' ? report.conclusion : 'No conclusion recorded.'}</p>
          </li>
        ))}
    </ul>
  );
}
