import type { ReactNode } from 'react';
import { describeApiError } from '../api/describe-api-error.ts';
import type { AsyncState } from '../api/use-async.ts';

interface AsyncViewProps<T> {
  state: AsyncState<T>;
  /** What is loading, e.g. "lab results". */
  what: string;
  onRetry?: () => void;
  isEmpty?: (value: T) => boolean;
  empty?: ReactNode;
  children: (value: T) => ReactNode;
}

/** The loading, error and empty states every data view needs, said the same way everywhere. */
export function AsyncView<T>({ state, what, onRetry, isEmpty, empty, children }: AsyncViewProps<T>) {
  if (state.status === 'loading') {
    return (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> Loading {what}…
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <div className="alert alert-error" role="alert">
        <p>
          Could not load {what}. {describeApiError(state.error)}
        </p>
        {onRetry && (
          <button type="button" className="button button-secondary" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    );
  }
  if (isEmpty?.(state.value)) {
    return <div className="empty-state">{empty ?? <p>Nothing to show yet.</p>}</div>;
  }
  return <>{children(state.value)}</>;
}
