/**
 * The person's global "Pay in" choice (BTC or dollars), kept in the worker's policy: the one the
 * payment pipeline reads (a site's own choice and a payment's own one win over it).
 */
import { useCallback, useEffect, useState } from 'react';
import type { PayIn } from '../../src/policy/index.ts';
import { call } from './client.ts';

export function useGlobalPayIn(): { payIn: PayIn | undefined; setPayIn: (payIn: PayIn) => Promise<void> } {
  const [payIn, set] = useState<PayIn>();
  useEffect(() => {
    let live = true;
    void call({ type: 'limits.get' }).then((l) => live && set(l.global.payIn), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  const setPayIn = useCallback(async (next: PayIn) => {
    set(next);
    const l = await call({ type: 'limits.updateGlobal', patch: { payIn: next } });
    set(l.global.payIn);
  }, []);
  return { payIn, setPayIn };
}
