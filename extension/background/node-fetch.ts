import browser from 'webextension-polyfill';
import { FETCH_RELAY_PORT } from '../../src/messages/fetch-relay.ts';
import type { NodeFetches } from '../../src/node/browser-trust.ts';
import { relayFetch } from '../../src/node/fetch-relay.ts';
import { withNetErrors, type ErrorOccurredEvent } from './net-errors.ts';
import { OFFSCREEN_PATH, OffscreenDocument, type OffscreenApi } from './offscreen.ts';

/**
 * The worker's two ways to the node (src/node/browser-trust.ts): its own fetch, and, in a
 * browser with offscreen documents, the offscreen document's, where a certificate the person
 * accepted in a tab applies. Both say why a call failed when the browser tells (net-errors.ts).
 */
export function browserNodeFetches(): NodeFetches {
  const origin = new URL(browser.runtime.getURL('')).origin;
  const reports = browser.webRequest.onErrorOccurred as unknown as ErrorOccurredEvent;
  const own = withNetErrors((input, init) => fetch(input, init), reports, origin);
  const api = (browser as unknown as { offscreen?: OffscreenApi }).offscreen;
  if (!api) return { own };
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  const scope = globalThis as unknown as ServiceWorkerGlobalScope;
  const document = new OffscreenDocument(
    {
      api,
      // clients.matchAll, not runtime.getContexts: that one needs Chrome 116, the manifest allows 111.
      exists: async () => (await scope.clients.matchAll({ includeUncontrolled: true, type: 'window' })).some((c) => c.url === url),
      connect: () => browser.runtime.connect({ name: FETCH_RELAY_PORT }),
    },
    url,
  );
  return { own, acceptedInBrowser: withNetErrors(relayFetch(() => document.open()), reports, origin) };
}
