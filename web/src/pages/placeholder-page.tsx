import type { Ref } from 'react';
import type { NavigationEntry } from '../shell/navigation-by-role.ts';

interface PlaceholderPageProps {
  ref?: Ref<HTMLHeadingElement>;
  entry: NavigationEntry;
}

/** A page that is not built yet says so plainly, and shows no made-up data. */
export function PlaceholderPage({ ref, entry }: PlaceholderPageProps) {
  return (
    <section className="page" aria-labelledby="page-title">
      <h1 id="page-title" ref={ref} tabIndex={-1}>
        {entry.label}
      </h1>
      <p className="lead">{entry.purpose}</p>
      <div className="empty-state">
        <p className="empty-state-title">Not available yet</p>
        <p>This page arrives with {entry.arrivesWith}. Nothing is shown here until then.</p>
      </div>
    </section>
  );
}
