import { useEffect } from 'react';

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
