import type { PageMethod, PortReply, PortRequest } from '../../src/webln/page-channel.ts';
import { acceptPort } from './handshake.ts';
import { retryingFetch, retryingXhr } from './paywall-retry.ts';
import type { WebLNProvider } from '@webbtc/webln-types';

/**
 * `window.webln` in the page's own world. It holds no secrets and decides
 * nothing: every call goes over the private port to the bridge and the worker,
 * which apply permissions and budgets. Every page loads it at document_start,
 * so it is kept tiny (bench/bundle.ts): it passes each call's arguments as
 * they came (the bridge names them, content/relay.ts), takes only types from
 * page-channel, and a wall paid for an element is reloaded by the worker
 * itself (refetch.ts), not from here.
 */
/** Each call's resolve, by id: a refusal resolves it with a rejected promise. */
const pending: Record<number, (v: unknown) => void> = {};
// WebLN events (accountChanged) for the page's on()/off(). Its listeners' errors are reported, and stop nothing.
const events = new EventTarget();
let port: MessagePort | undefined;
let nextId = 1;

// Both content scripts run before any page script: the port is here before the page's first call, or never (no bridge).
acceptPort((p) => {
  port = p;
  p.onmessage = ({ data: { id, ok, result, error, event } }: MessageEvent<PortReply>) => {
    const settle = pending[id];
    delete pending[id];
    // The error, its WebLN class name included, comes from the worker or the bridge (PortReply), never from the page.
    if (settle) settle(ok ? result : Promise.reject(Object.assign(new Error(), error)));
    else if (!id && event) events.dispatchEvent(new Event(event));
  };
});

function call(method: PageMethod, args?: unknown[]): Promise<unknown> {
  return new Promise((resolve) => {
    pending[nextId] = resolve;
    port?.postMessage({ id: nextId++, method, args } satisfies PortRequest);
  });
}

function fire(name: string): void {
  dispatchEvent(new Event(name));
  document.dispatchEvent(new Event(name));
}

/** Methods that only go to the worker, with the page's arguments. One string: fewer bytes in every page. */
const FORWARDED = 'getInfo getBalance sendPayment sendPaymentAsync keysend makeInvoice signMessage verifyMessage lookupInvoice lnurl request';
type Words<S extends string> = S extends `${infer Word} ${infer Rest}` ? Word | Words<Rest> : S;
/** A name that is no PageMethod fails the build where it is called. */
type Forwarded = Words<typeof FORWARDED>;
/** Each method of the community WebLN interface (@webbtc/webln-types): one it gains is missing here, and fails the build. */
type Unprovided = Exclude<keyof WebLNProvider, Forwarded | 'enable' | 'isEnabled' | 'on' | 'off'>;

let enabled = false;
const webln: Record<string, unknown> & Record<Unprovided, never> = {
  get enabled() {
    return enabled;
  },
  async enable() {
    await call('enable');
    enabled = true;
    fire('webln:enabled');
  },
  isEnabled: async () => (enabled = (await call('isEnabled')) === true),
  on: (event: string, fn: () => void) => typeof fn === 'function' && events.addEventListener(event, fn),
  off: (event: string, fn: () => void) => events.removeEventListener(event, fn),
};
for (const method of FORWARDED.split(' ') as Forwarded[]) webln[method] = (...args: unknown[]) => call(method, args);

/**
 * 402 walls met by the page's own fetch/XHR: the worker pays from its own
 * observation of the response and adds the header by rule; the page only gets
 * the retried response. Without a bridge (no port) there is no wallet to ask.
 * (A worker that died mid-call is asked once more by the bridge, relay.ts.)
 */
const askWallet = async (url: string): Promise<unknown> => port && ((await call('paywall', [url])) as { retry: boolean }).retry;
window.fetch = retryingFetch(fetch, askWallet);
window.XMLHttpRequest = retryingXhr(XMLHttpRequest, askWallet);

// Another wallet may already have defined window.webln: the person installed both; don't fight over it.
if (!('webln' in window)) {
  // Frozen and read-only (writable defaults to false); configurable, so a page may still replace it.
  Object.defineProperty(window, 'webln', { value: Object.freeze(webln), enumerable: true, configurable: true });
  fire('webln:ready');
}
