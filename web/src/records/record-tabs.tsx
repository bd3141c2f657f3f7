import { useState, type ReactNode } from 'react';
import type { PurposeOfUse } from '../api/fhir.ts';
import { Tabs, tabPanelProps } from '../ui/tabs.tsx';
import { CategoryPanel } from './category-panel.tsx';
import { recordCategories, type RecordCategory } from './record-categories.ts';

interface RecordTabsProps {
  patientId: string;
  purpose?: PurposeOfUse;
  restrictedActions?: ReactNode;
  revision?: number;
}

/** A record by category, one tab each; the selected category lives in memory, never in the URL. */
export function RecordTabs({ patientId, purpose, restrictedActions, revision }: RecordTabsProps) {
  const [selected, setSelected] = useState<RecordCategory>('labs');
  const category = recordCategories.find((item) => item.id === selected) ?? recordCategories[0];
  if (!category) return null;
  return (
    <div className="record-tabs">
      <Tabs
        label="Record categories"
        idPrefix="records"
        tabs={recordCategories.map(({ id, label }) => ({ id, label }))}
        selected={selected}
        onSelect={(id) => setSelected(id as RecordCategory)}
      />
      <div className="tab-panel" {...tabPanelProps('records', selected)}>
        <CategoryPanel
          category={category}
          patientId={patientId}
          purpose={purpose}
          restrictedActions={restrictedActions}
          revision={revision}
        />
      </div>
    </div>
  );
}
