/**
 * Which IP address an LNURL request from this worker really reached: Chrome reports it as `ip` in
 * webRequest.onResponseStarted. src/lnurl/http.ts refuses the answer when it came from the
 * person's own network (a public DNS name can point anywhere, and can change between lookups).
 *
 * - One request per URL at a time: every response to that URL the worker sees while it is watched
 *   is then this request's. Responses to the worker itself only (tab -1, initiator this
 *   extension): a page's own request to the same URL must not vouch for the wallet's.
 * - The listener exists only while something is watched, so the worker is neither woken by nor
 *   sent anyone else's traffic.
 * - A response seen without an address, or none seen in time, reads as "unknown", which the core
 *   refuses.
 *
 * Needs the "webRequest" permission (observing only; nothing is blocked or changed).
 */
import { isNonPublicHost } from '../../src/base/net.ts';
import type { AddressWatch, RemoteAddresses } from '../../src/lnurl/index.ts';

/** The part of Chrome's onResponseStarted details used here. */
export interface ResponseStartedDetails {
  url: string;
  ip?: string;
  tabId: number;
  initiator?: string;
}

type Listener = (details: ResponseStartedDetails) => void;

/** The part of `chrome.webRequest.onResponseStarted` used here. */
export interface ResponseStartedEvent {
  addListener(listener: Listener, filter: { urls: string[]; tabId?: number }): void;
  removeListener(listener: Listener): void;
}

/** How long, once the response is in, the browser's report of it may lag behind. */
export const REPORT_GRACE_MS = 1000;

const WEB_URLS = ['http://*/*', 'https://*/*'];

/** `ownOrigin`: this extension's origin, "chrome-extension://<id>" (no final slash). */
export function remoteAddresses(event: ResponseStartedEvent, ownOrigin: string, graceMs = REPORT_GRACE_MS): RemoteAddresses {
  /** URL (no fragment) → resolves when its current watch stops. */
  const watched = new Map<string, Promise<void>>();
  return {
    async watch(url) {
      const key = withoutFragment(url);
      for (let turn = watched.get(key); turn; turn = watched.get(key)) await turn;
      let release = () => {};
      const turn = new Promise<void>((resolve) => (release = resolve));
      watched.set(key, turn);
      const seen: Array<string | undefined> = [];
      let wake = () => {};
      const listener: Listener = (d) => {
        if (d.tabId !== -1 || d.url !== key || (d.initiator !== undefined && d.initiator !== ownOrigin)) return;
        seen.push(d.ip);
        wake();
      };
      event.addListener(listener, { urls: WEB_URLS, tabId: -1 });
      const watch: AddressWatch = {
        async reached() {
          if (seen.length === 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, graceMs);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
          return worst(seen);
        },
        stop() {
          event.removeListener(listener);
          if (watched.get(key) === turn) watched.delete(key);
          release();
        },
      };
      return watch;
    },
  };
}

/**
 * What the core is told: unknown if any response came without an address; else the first
 * non-public one (several responses to one URL mean a race, and the worst of them counts); else
 * the first.
 */
function worst(seen: ReadonlyArray<string | undefined>): string | undefined {
  if (seen.length === 0 || seen.includes(undefined)) return undefined;
  return seen.find((ip) => ip !== undefined && isNonPublicHost(ip)) ?? seen[0];
}

function withoutFragment(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}
