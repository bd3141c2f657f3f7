import type { FhirResource } from '../api/fhir.ts';
import { ClinicalNotes } from './clinical-notes.tsx';
import { ImagingReports } from './imaging-reports.tsx';
import { LabResults } from './lab-results.tsx';
import { MedicationList } from './medication-list.tsx';
import type { RecordCategory } from './record-categories.ts';
import { SummaryLists } from './summary-lists.tsx';

export function CategoryContent({
  category,
  resources,
}: {
  category: RecordCategory;
  resources: FhirResource[];
}) {
  switch (category) {
    case 'labs':
      return <LabResults observations={resources} />;
    case 'imaging':
      return <ImagingReports reports={resources} />;
    case 'notes':
      return <ClinicalNotes notes={resources} />;
    case 'medications':
      return <MedicationList medications={resources} />;
    case 'summary':
      return <SummaryLists resources={resources} />;
  }
}
