import { useState, type FormEvent } from 'react';
import type { AccessLogFilters } from '../api/audit.ts';
import { recordCategories } from '../records/record-categories.ts';
import { SelectField } from '../ui/select-field.tsx';
import { TextField } from '../ui/text-field.tsx';

export const noFilters: AccessLogFilters = { from: '', to: '', category: '', breakGlass: false };

export function AccessLogFilterForm({ onApply }: { onApply: (filters: AccessLogFilters) => void }) {
  const [filters, setFilters] = useState(noFilters);
  const set = (change: Partial<AccessLogFilters>) => setFilters({ ...filters, ...change });
  function apply(event: FormEvent) {
    event.preventDefault();
    onApply(filters);
  }
  return (
    <form className="filters no-print" onSubmit={apply} aria-label="Filter the access history">
      <TextField
        id="log-from"
        label="From"
        type="date"
        value={filters.from}
        onChange={(from) => set({ from })}
      />
      <TextField id="log-to" label="To" type="date" value={filters.to} onChange={(to) => set({ to })} />
      <SelectField
        id="log-category"
        label="Category"
        value={filters.category}
        onChange={(category) => set({ category })}
        options={[
          { value: '', label: 'All categories' },
          { value: 'demographics', label: 'Demographics' },
          ...recordCategories.map((category) => ({ value: category.id, label: category.label })),
        ]}
      />
      <label className="checkbox checkbox-inline">
        <input
          type="checkbox"
          checked={filters.breakGlass}
          onChange={(event) => set({ breakGlass: event.target.checked })}
        />
        Emergency (break-glass) only
      </label>
      <button type="submit" className="button button-primary">
        Apply filters
      </button>
    </form>
  );
}
