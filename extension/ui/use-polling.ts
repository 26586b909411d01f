import { useCallback, useEffect, useRef, useState } from 'react';
import { handleLocked } from './actions.ts';

/**
 * Run `refresh` now, then every `intervalMs` while the page is visible, and
 * again when it comes back into view. Every call counts as activity for
 * auto-lock: a page nobody looks at (a background tab with the options page)
 * must not keep the wallet unlocked by polling.
 */
export function useRefreshWhileVisible(refresh: () => Promise<void>, intervalMs: number): void {
  useEffect(() => {
    const refreshIfSeen = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    void refresh();
    const timer = setInterval(refreshIfSeen, intervalMs);
    document.addEventListener('visibilitychange', refreshIfSeen);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refreshIfSeen);
    };
  }, [refresh, intervalMs]);
}

/**
 * What the worker keeps (a list, the limits), shown while the page is open:
 * loaded by `load` (a stable function) now and while visible, and replaced by
 * what a change answers. A refresh that started before a change carries older
 * data and is dropped. `now` is when the shown data arrived, so relative times
 * read the same within one refresh.
 */
export function usePolled<T>(load: () => Promise<T>, intervalMs: number) {
  const [value, setValue] = useState<T>();
  const [now, setNow] = useState(() => Date.now());
  const [loadError, setLoadError] = useState<unknown>(undefined);
  // Bumped by every change.
  const changes = useRef(0);
  const show = (next: T) => {
    setValue(next);
    setNow(Date.now());
  };
  const reload = useCallback(async () => {
    const before = changes.current;
    try {
      const next = await load();
      if (before !== changes.current) return;
      show(next);
      setLoadError(undefined);
    } catch (e) {
      if (!handleLocked(e)) setLoadError(e);
    }
  }, [load]);
  useRefreshWhileVisible(reload, intervalMs);
  /** Sends a change; its answer (the data after it) is shown. Throws what the worker threw. */
  const change = async (work: () => Promise<T>): Promise<void> => {
    changes.current++;
    show(await work());
  };
  return { value, now, loadError, change };
}
