import { useState, type FormEvent } from 'react';
import { describeApiError } from '../api/describe-api-error.ts';
import { fhirWrite, purposesOfUse, type PurposeOfUse } from '../api/fhir.ts';
import { useSession } from '../api/session-context.ts';
import { recordCategories } from '../records/record-categories.ts';
import { SelectField } from '../ui/select-field.tsx';
import { TextField } from '../ui/text-field.tsx';
import type { ActorChoice } from './actor-choices.ts';
import { describeConsent, draftToConsent, type ConsentDraft } from './consent-model.ts';

const patientPurposes: PurposeOfUse[] = ['TREAT', 'ETREAT', 'HPAYMT', 'HRESCH'];

interface ConsentFormProps {
  patientId: string;
  actors: ActorChoice[];
  onSaved: (message: string) => void;
}

/** Grant or deny access; the effect is spelled out before saving and must be confirmed. */
export function ConsentForm({ patientId, actors, onSaved }: ConsentFormProps) {
  const { api } = useSession();
  const [type, setType] = useState<'permit' | 'deny'>('permit');
  const [actor, setActor] = useState(actors[0]?.reference ?? '');
  const [categories, setCategories] = useState<string[]>([]);
  const [purposes, setPurposes] = useState<PurposeOfUse[]>(['TREAT']);
  const [end, setEnd] = useState('');
  const [reviewing, setReviewing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const chosen = actors.find((item) => item.reference === actor);
  const draft: ConsentDraft = {
    type,
    actor: { reference: actor, display: chosen?.display ?? actor },
    categories,
    purposes,
    end,
  };
  const sentence = describeConsent({ ...draft, actor: draft.actor.display });

  const toggle = <T,>(items: T[], item: T) =>
    items.includes(item) ? items.filter((x) => x !== item) : [...items, item];

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!actor) return setError('Choose who this applies to.');
    if (!reviewing) return setReviewing(true);
    setSaving(true);
    setError(undefined);
    try {
      await fhirWrite(api, draftToConsent(draft, patientId));
      onSaved(`Saved: ${sentence}`);
      setReviewing(false);
    } catch (failure) {
      setError(describeApiError(failure));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="card stack" onSubmit={save} aria-labelledby="consent-form-title">
      <h2 id="consent-form-title">Share or restrict</h2>
      <fieldset className="choice-group" onChange={() => setReviewing(false)}>
        <legend>What do you want to do?</legend>
        <label className="choice">
          <input type="radio" name="type" checked={type === 'permit'} onChange={() => setType('permit')} />
          Allow access
        </label>
        <label className="choice">
          <input type="radio" name="type" checked={type === 'deny'} onChange={() => setType('deny')} />
          Block access
        </label>
      </fieldset>
      <SelectField
        id="consent-actor"
        label="Who"
        hint="A clinic, your care team, or one of its clinicians."
        value={actor}
        onChange={(value) => {
          setActor(value);
          setReviewing(false);
        }}
        options={actors.map((item) => ({ value: item.reference, label: item.display }))}
      />
      <fieldset className="choice-group">
        <legend>Which parts of your record (none ticked means all)</legend>
        {recordCategories.map((category) => (
          <label className="choice" key={category.id}>
            <input
              type="checkbox"
              checked={categories.includes(category.id)}
              onChange={() => {
                setCategories(toggle(categories, category.id));
                setReviewing(false);
              }}
            />
            {category.label}
          </label>
        ))}
      </fieldset>
      <fieldset className="choice-group">
        <legend>For what purpose (none ticked means any)</legend>
        {patientPurposes.map((purpose) => (
          <label className="choice" key={purpose}>
            <input
              type="checkbox"
              checked={purposes.includes(purpose)}
              onChange={() => {
                setPurposes(toggle(purposes, purpose));
                setReviewing(false);
              }}
            />
            {purposesOfUse[purpose]}
          </label>
        ))}
      </fieldset>
      <TextField
        id="consent-end"
        label="Until (optional)"
        hint="Leave empty to keep it until you change it."
        type="date"
        value={end}
        onChange={(value) => {
          setEnd(value);
          setReviewing(false);
        }}
      />
      <div className="preview" aria-live="polite">
        <p className="preview-label">What this will do</p>
        <p className="preview-text">{sentence}</p>
      </div>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={saving}>
          {saving ? 'Saving…' : reviewing ? 'Confirm and save' : 'Review'}
        </button>
        {reviewing && (
          <button type="button" className="button button-secondary" onClick={() => setReviewing(false)}>
            Change
          </button>
        )}
      </div>
    </form>
  );
}
