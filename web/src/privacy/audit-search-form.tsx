import { useState, type FormEvent } from 'react';
import { purposesOfUse } from '../api/fhir.ts';
import { SelectField } from '../ui/select-field.tsx';
import { TextField } from '../ui/text-field.tsx';

export interface AuditQuery {
  patient: string;
  agent: string;
  from: string;
  to: string;
  purpose: string;
  outcome: string;
  breakGlassOnly: boolean;
}

export const emptyAuditQuery: AuditQuery = {
  patient: '',
  agent: '',
  from: '',
  to: '',
  purpose: '',
  outcome: '',
  breakGlassOnly: false,
};

export function AuditSearchForm({ onSearch }: { onSearch: (query: AuditQuery) => void }) {
  const [query, setQuery] = useState(emptyAuditQuery);
  const set = (change: Partial<AuditQuery>) => setQuery({ ...query, ...change });
  function submit(event: FormEvent) {
    event.preventDefault();
    onSearch(query);
  }
  return (
    <form className="filters" onSubmit={submit} role="search" aria-label="Audit search">
      <TextField
        id="audit-patient"
        label="Patient id"
        value={query.patient}
        onChange={(patient) => set({ patient })}
      />
      <TextField
        id="audit-agent"
        label="User"
        hint="Username or Practitioner id"
        value={query.agent}
        onChange={(agent) => set({ agent })}
      />
      <TextField
        id="audit-from"
        label="From"
        type="date"
        value={query.from}
        onChange={(from) => set({ from })}
      />
      <TextField id="audit-to" label="To" type="date" value={query.to} onChange={(to) => set({ to })} />
      <SelectField
        id="audit-purpose"
        label="Purpose"
        value={query.purpose}
        onChange={(purpose) => set({ purpose })}
        options={[
          { value: '', label: 'Any purpose' },
          ...Object.entries(purposesOfUse).map(([value, label]) => ({ value, label: `${label} (${value})` })),
        ]}
      />
      <SelectField
        id="audit-outcome"
        label="Outcome"
        value={query.outcome}
        onChange={(outcome) => set({ outcome })}
        options={[
          { value: '', label: 'Any outcome' },
          { value: '0', label: 'Success' },
          { value: '4', label: 'Minor failure' },
          { value: '8', label: 'Refused' },
          { value: '12', label: 'Major failure' },
        ]}
      />
      <label className="checkbox checkbox-inline">
        <input
          type="checkbox"
          checked={query.breakGlassOnly}
          onChange={(event) => set({ breakGlassOnly: event.target.checked })}
        />
        Break-glass only
      </label>
      <button type="submit" className="button button-primary">
        Search
      </button>
    </form>
  );
}
