import browser from 'webextension-polyfill';
import { FETCH_RELAY_PORT } from '../../src/messages/fetch-relay.ts';
import { serveRelayedFetch } from '../../src/node/fetch-relay.ts';
import { isOwnWorker } from '../background/sender.ts';

/**
 * The offscreen document (extension/background/offscreen.ts): makes the worker's node calls
 * from a document, where Chrome applies a certificate the person accepted in a tab. Content
 * scripts reach every extension page with runtime.connect, this one included: a port from
 * anyone but the worker is closed unanswered. It opens no channel of its own.
 */
browser.runtime.onConnect.addListener((port) => {
  if (port.name !== FETCH_RELAY_PORT || !port.sender || !isOwnWorker(port.sender)) {
    port.disconnect();
    return;
  }
  serveRelayedFetch(port, (input, init) => fetch(input, init));
});
