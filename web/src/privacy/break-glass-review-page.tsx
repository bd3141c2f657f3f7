import { useState } from 'react';
import { breakGlassAccesses, breakGlassReviews } from '../api/break-glass.ts';
import { useSession } from '../api/session-context.ts';
import { useAsync } from '../api/use-async.ts';
import { AsyncView } from '../ui/async-view.tsx';
import { Page } from '../ui/page.tsx';
import { BreakGlassReviewItem } from './break-glass-review-item.tsx';

export function BreakGlassReviewPage() {
  const { api } = useSession();
  const [revision, setRevision] = useState(0);
  const [message, setMessage] = useState<string>();
  const [state, reload] = useAsync(async () => {
    const [reviews, accesses] = await Promise.all([
      breakGlassReviews(api),
      // The per-grant access counts and names enrich the queue; the queue still shows without them.
      breakGlassAccesses(api).catch(() => new Map<string, never>()),
    ]);
    return reviews.map((review) => {
      const used = accesses.get(review.id);
      return used
        ? {
            ...review,
            accessCount: used.count,
            clinician: used.name || review.clinician,
            role: used.role,
            institution: used.institution || review.institution,
          }
        : review;
    });
  }, String(revision));
  return (
    <Page title="Break-glass review" lead="Emergency accesses waiting for review come first.">
      <p role="status" className={message ? 'notice' : 'visually-hidden'}>
        {message}
      </p>
      <AsyncView
        state={state}
        what="the review queue"
        onRetry={reload}
        isEmpty={(reviews) => reviews.length === 0}
        empty={<p>No emergency accesses to review.</p>}
      >
        {(reviews) => (
          <ul className="item-list">
            {[...reviews]
              .sort((a, b) => Number(a.acknowledged) - Number(b.acknowledged) || b.at.localeCompare(a.at))
              .map((review) => (
                <BreakGlassReviewItem
                  key={review.id}
                  review={review}
                  onDone={(text) => {
                    setMessage(text);
                    setRevision((n) => n + 1);
                  }}
                />
              ))}
          </ul>
        )}
      </AsyncView>
    </Page>
  );
}
