/**
 * The one thing a deposit wall remembers: when each deposit last saw a verified request, for the
 * idle release. Everything else lives on the node or derives from the secret. Several servers
 * share one store (e.g. Redis, a key per payment hash expiring after `ttlSeconds`).
 */
export interface ActivityStore {
  /** Unix seconds of the last verified request for this deposit, if any. */
  get(paymentHash: string): Promise<number | undefined> | number | undefined;
  /** `ttlSeconds`: how long the entry can still matter (a deposit lives at most max_hold). */
  set(paymentHash: string, atSeconds: number, ttlSeconds: number): Promise<void> | void;
  delete(paymentHash: string): Promise<void> | void;
}

/** In-process default: right for one server (or sticky sessions). Expired entries are dropped as it grows. */
export function memoryActivity(): ActivityStore {
  const seen = new Map<string, { at: number; until: number }>();
  let pruneAt = 1024;
  return {
    get: (hash) => seen.get(hash)?.at,
    set(hash, at, ttl) {
      seen.set(hash, { at, until: at + ttl });
      if (seen.size < pruneAt) return;
      for (const [h, e] of seen) if (e.until < at) seen.delete(h);
      pruneAt = Math.max(1024, seen.size * 2);
    },
    delete: (hash) => void seen.delete(hash),
  };
}
