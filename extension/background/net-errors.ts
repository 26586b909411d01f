/**
 * Why a node call failed, as the browser knows it: a page's or worker's fetch says only "Failed
 * to fetch" whether the node is down or its certificate untrusted, but webRequest.onErrorOccurred
 * reports `net::ERR_CERT_AUTHORITY_INVALID`, `net::ERR_CONNECTION_REFUSED`… for the same request.
 * `withNetErrors` puts that reason on the TypeError as `cause.code`, where src/node/http.ts reads
 * it (as it reads Node's). Chrome reports the requests of this extension's worker and of its
 * offscreen document alike: tab -1, initiator this extension (measured on Chromium 156).
 *
 * - The listener exists only while calls are under way and a few seconds after (LISTENER_LINGER_MS),
 *   so the worker is neither woken by nor sent anyone else's traffic.
 * - The report and the rejection travel separately: a failure waits up to `graceMs` for it, then
 *   goes on without a reason (http.ts then leaves the certificate open as a possibility).
 * - Reports are matched by URL: two calls to one URL failing together are told the same reason,
 *   which for a certificate (the host's) is right.
 *
 * Needs the "webRequest" permission (observing only).
 */

/** The part of Chrome's onErrorOccurred details used here. */
export interface ErrorOccurredDetails {
  url: string;
  error: string;
  tabId: number;
  initiator?: string;
}

type Listener = (details: ErrorOccurredDetails) => void;

/** The part of `chrome.webRequest.onErrorOccurred` used here. */
export interface ErrorOccurredEvent {
  addListener(listener: Listener, filter: { urls: string[]; tabId?: number }): void;
  removeListener(listener: Listener): void;
}

export const REPORT_GRACE_MS = 500;

const WEB_URLS = ['http://*/*', 'https://*/*'];

/**
 * Adding and removing a webRequest listener each costs the worker about a
 * millisecond on the payment's path: one listener serves every call, and
 * stays this long after the last one ends (well under the worker's 30 s idle
 * stop, so it never outlives the calls by much nor wakes a stopped worker).
 */
export const LISTENER_LINGER_MS = 5_000;

/** `ownOrigin`: this extension's origin, "chrome-extension://<id>" (no final slash). */
export function withNetErrors(
  inner: typeof fetch,
  event: ErrorOccurredEvent,
  ownOrigin: string,
  graceMs = REPORT_GRACE_MS,
  lingerMs = LISTENER_LINGER_MS,
): typeof fetch {
  /** Calls under way by URL: each is told the browser's reason for a failure of its URL. */
  const calls = new Map<string, Set<(reason: string) => void>>();
  let listening = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const listener: Listener = (d) => {
    // No initiator: Firefox names the requesting document otherwise (originUrl); tab -1 is still only extension traffic.
    if (d.tabId !== -1 || (d.initiator !== undefined && d.initiator !== ownOrigin)) return;
    for (const tell of calls.get(d.url) ?? []) tell(d.error);
  };
  const stopLater = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      if (calls.size > 0 || !listening) return;
      event.removeListener(listener);
      listening = false;
    }, lingerMs);
  };
  return async (input, init) => {
    const url = new Request(input, init).url;
    let reason: string | undefined;
    let heard = () => {};
    const tell = (error: string) => {
      reason = error;
      heard();
    };
    const mine = calls.get(url) ?? new Set();
    calls.set(url, mine.add(tell));
    clearTimeout(idle);
    if (!listening) {
      event.addListener(listener, { urls: WEB_URLS, tabId: -1 });
      listening = true;
    }
    try {
      return await inner(input, init);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      if (reason === undefined) await new Promise<void>((resolve) => ((heard = resolve), setTimeout(resolve, graceMs)));
      throw reason === undefined ? e : new TypeError(e.message, { cause: { code: reason } });
    } finally {
      mine.delete(tell);
      if (mine.size === 0) calls.delete(url);
      if (calls.size === 0) stopLater();
    }
  };
}
