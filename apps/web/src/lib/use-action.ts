import { useState } from 'react';
import { errorMessage } from './trpc.ts';

/**
 * The busy flag and the error message around one async action (a form's submit, a button): while
 * it runs, `busy`; if it throws, its message is shown through `error` and `onError` runs.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>, onError?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorMessage(e));
      onError?.();
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
