import { useState } from 'react';
import { handleLocked } from './actions.ts';

/**
 * A form's submit: busy while the call runs, the error it ended with (for
 * FormError), and no error shown when the real problem is a locked vault.
 */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (e) {
      if (!handleLocked(e)) setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
