import { PAGE_CHANNEL, type PortReply } from '../../src/webln/page-channel.ts';
import { offerPort } from './handshake.ts';
import { relayOf, toWorker } from './relay.ts';
import { LINK_CHANNEL } from '../../src/links/target.ts';
import { clickedLinkTarget } from './link-click.ts';

/**
 * Isolated-world bridge: relays the provider's requests to the worker and the
 * worker's events back. It adds nothing of its own: the worker learns the
 * origin from the browser's `sender`, not from anything relayed here.
 */
let port: MessagePort | undefined;

/** The part of the extension runtime API the bridge uses, as the browser has it. */
interface Runtime {
  id: string;
  sendMessage(message: unknown): Promise<unknown>;
  onMessage: { addListener(listener: (message: unknown, sender: { id?: string }) => undefined): void };
}
// The browser's own API, not webextension-polyfill (9 KB to parse in every frame of every page): Firefox has `browser`,
// and Chrome's MV3 `chrome.runtime` answers with promises too.
const api = globalThis as unknown as { browser?: { runtime: Runtime }; chrome: { runtime: Runtime } };
const runtime = (api.browser ?? api.chrome).runtime;

offerPort((p) => {
  port = p;
  p.onmessage = (event: MessageEvent) => void relay(p, event.data);
});

async function relay(p: MessagePort, data: unknown): Promise<void> {
  const r = relayOf(data);
  if (!r) return;
  if ('reply' in r) return p.postMessage(r.reply);
  const envelope = await toWorker((request) => runtime.sendMessage({ channel: PAGE_CHANNEL, request }), r.forward);
  p.postMessage(envelope ? { ...envelope, id: r.id } : unavailable(r.id));
}

// Events pushed by the worker (e.g. accountChanged) go to the provider as id 0.
runtime.onMessage.addListener((message, sender) => {
  if (sender.id !== runtime.id || typeof message !== 'object' || message === null) return undefined;
  const m = message as { channel?: unknown; event?: unknown };
  if (!port) return undefined;
  if (m.channel === PAGE_CHANNEL && typeof m.event === 'string') port.postMessage({ id: 0, ok: true, event: m.event });
  return undefined;
});

// Payment links the person clicks (lightning:, lnurlw://, …) open Satnav's prompt. Capture on window, registered
// before any page script: the page's own listeners can't hide a click from it, and a page's scripted click is
// not trusted, so it is never taken for the person's. The worker checks the sender and limits the tab.
window.addEventListener(
  'click',
  (event) => {
    const href = clickedLinkTarget(event, document.baseURI);
    if (href === undefined) return;
    event.preventDefault();
    // Chrome throws at once, not by rejecting, once the extension was reloaded under the page.
    void (async () => runtime.sendMessage({ channel: LINK_CHANNEL, request: { href } }))().catch(() => undefined);
  },
  true,
);

function unavailable(id: number): PortReply {
  // The worker restarted or the extension was updated under this page. PAGE_ERRORS.EXTENSION_UNAVAILABLE's words
  // (src/error-codes.ts), not imported: its table would come into every frame.
  return { id, ok: false, error: { code: 'EXTENSION_UNAVAILABLE', message: 'Satnav is not reachable; reload the page', name: 'ConnectionError' } };
}
