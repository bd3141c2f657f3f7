import { useCallback, useEffect, useState } from 'react';

export type AsyncState<T> =
  { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; value: T };

/** Runs `load` when `key` changes; `reload` runs it again. Late answers of an older key are dropped. */
export function useAsync<T>(load: () => Promise<T>, key: string): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  // `load` is a fresh closure every render; `key` says when it means something new.
  const stableLoad = useCallback(load, [key, generation]);
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    stableLoad().then(
      (value) => current && setState({ status: 'ready', value }),
      (error: unknown) => current && setState({ status: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [stableLoad]);
  return [state, () => setGeneration((n) => n + 1)];
}
