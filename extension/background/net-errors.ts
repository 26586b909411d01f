/**
 * Why a node call failed, as the browser knows it: a page's or worker's fetch says only "Failed
 * to fetch" whether the node is down or its certificate untrusted, but webRequest.onErrorOccurred
 * reports `net::ERR_CERT_AUTHORITY_INVALID`, `net::ERR_CONNECTION_REFUSED`… for the same request.
 * `withNetErrors` puts that reason on the TypeError as `cause.code`, where src/node/http.ts reads
 * it (as it reads Node's). Chrome reports the requests of this extension's worker and of its
 * offscreen document alike: tab -1, initiator this extension (measured on Chromium 156).
 *
 * - The listener exists only while a call is under way, so the worker is neither woken by nor
 *   sent anyone else's traffic.
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

/** `ownOrigin`: this extension's origin, "chrome-extension://<id>" (no final slash). */
export function withNetErrors(inner: typeof fetch, event: ErrorOccurredEvent, ownOrigin: string, graceMs = REPORT_GRACE_MS): typeof fetch {
  return async (input, init) => {
    const url = new Request(input, init).url;
    let reason: string | undefined;
    let heard = () => {};
    const listener: Listener = (d) => {
      // No initiator: Firefox names the requesting document otherwise (originUrl); tab -1 is still only extension traffic.
      if (d.tabId !== -1 || d.url !== url || (d.initiator !== undefined && d.initiator !== ownOrigin)) return;
      reason = d.error;
      heard();
    };
    event.addListener(listener, { urls: WEB_URLS, tabId: -1 });
    try {
      return await inner(input, init);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      if (reason === undefined) await new Promise<void>((resolve) => ((heard = resolve), setTimeout(resolve, graceMs)));
      throw reason === undefined ? e : new TypeError(e.message, { cause: { code: reason } });
    } finally {
      event.removeListener(listener);
    }
  };
}
