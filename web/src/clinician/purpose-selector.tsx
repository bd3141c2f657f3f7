import { purposesOfUse, type PurposeOfUse } from '../api/fhir.ts';
import { SelectField } from '../ui/select-field.tsx';

interface PurposeSelectorProps {
  value: PurposeOfUse;
  allowed: PurposeOfUse[];
  onChange: (purpose: PurposeOfUse) => void;
}

/** Sent as `X-Purpose-Of-Use` on every chart request and recorded in the audit log. */
export function PurposeSelector({ value, allowed, onChange }: PurposeSelectorProps) {
  return (
    <SelectField
      id="purpose-of-use"
      label="Purpose of use"
      hint="Recorded with every access to this chart."
      value={value}
      onChange={(purpose) => onChange(purpose as PurposeOfUse)}
      options={allowed.map((code) => ({ value: code, label: `${purposesOfUse[code]} (${code})` }))}
    />
  );
}
