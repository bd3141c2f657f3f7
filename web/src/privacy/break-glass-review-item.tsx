import { useState, type FormEvent } from 'react';
import { acknowledgeBreakGlass, type BreakGlassReview } from '../api/break-glass.ts';
import { describeApiError } from '../api/describe-api-error.ts';
import { formatDateTime } from '../api/fhir-display.ts';
import { useSession } from '../api/session-context.ts';
import { roleLabel } from '../shell/navigation-by-role.ts';
import { TextArea } from '../ui/text-area.tsx';

export function BreakGlassReviewItem({
  review,
  onDone,
}: {
  review: BreakGlassReview;
  onDone: (message: string) => void;
}) {
  const { api } = useSession();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function acknowledge(event: FormEvent) {
    event.preventDefault();
    if (comment.trim() === '') return setError('Write a short review comment.');
    setBusy(true);
    setError(undefined);
    try {
      await acknowledgeBreakGlass(api, review.id, comment.trim());
      onDone(`Acknowledged the emergency access by ${review.clinician}.`);
    } catch (failure) {
      setError(describeApiError(failure));
      setBusy(false);
    }
  }

  return (
    <li className={review.acknowledged ? 'card review' : 'card review review-pending'}>
      <p>
        <strong>{review.clinician || 'Unknown clinician'}</strong>
        {review.role && ` · ${roleLabel(review.role)}`}
        {review.institution && ` · ${review.institution}`}
      </p>
      <dl className="facts">
        <dt>When</dt>
        <dd>{formatDateTime(review.at)}</dd>
        <dt>Patient</dt>
        <dd>{review.patient}</dd>
        <dt>Reason</dt>
        <dd>{review.reason}</dd>
        <dt>Justification</dt>
        <dd className="justification">“{review.justification}”</dd>
        {review.accessCount !== undefined && (
          <>
            <dt>Accesses under it</dt>
            <dd>{review.accessCount}</dd>
          </>
        )}
      </dl>
      {review.acknowledged ? (
        <p className="meta">
          <span className="badge badge-ok">Reviewed</span> {review.acknowledgedBy}{' '}
          {review.comment && `— “${review.comment}”`}
        </p>
      ) : (
        <form className="stack" onSubmit={acknowledge}>
          <TextArea
            id={`review-${review.id}`}
            label="Review comment"
            value={comment}
            onChange={setComment}
            rows={2}
            error={error}
          />
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Acknowledge'}
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
