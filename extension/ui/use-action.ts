import { useState } from 'react';
import { handleLocked } from './actions.ts';

/**
 * A form's submit: busy while the call runs, and the error it ended with (for
 * FormError). `handled` takes errors some other part of the page deals with,
 * so they are not shown; by default a locked vault, which moves to the unlock screen.
 */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>, handled: (e: unknown) => boolean = handleLocked) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (e) {
      if (!handled(e)) setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
