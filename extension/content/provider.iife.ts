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
const pending = new Map<number, [resolve: (v: unknown) => void, reject: (e: Error) => void]>();
// WebLN events (accountChanged) for the page's on()/off(). Its listeners' errors are reported, and stop nothing.
const events = new EventTarget();
let port: MessagePort | undefined;
let nextId = 1;

// Both content scripts run before any page script: the port is here before the page's first call, or never (no bridge).
acceptPort((p) => {
  port = p;
  p.onmessage = (event: MessageEvent<PortReply>) => onReply(event.data);
});

function call(method: PageMethod, args?: unknown[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request: PortRequest = { id: nextId++, method, args };
    pending.set(request.id, [resolve, reject]);
    port?.postMessage(request);
  });
}

function onReply({ id, ok, result, error, event }: PortReply): void {
  if (!id) return void (event && events.dispatchEvent(new Event(event)));
  const waiter = pending.get(id);
  if (!waiter) return;
  pending.delete(id);
  if (ok) return waiter[0](result);
  // The name comes from the worker or the bridge (PortReply), never from the page.
  waiter[1](Object.assign(new Error(error?.message), { name: error?.name ?? 'InternalError', code: error?.code }));
}

function fire(name: string): void {
  dispatchEvent(new Event(name));
  document.dispatchEvent(new Event(name));
}

/** Methods that only go to the worker, with the page's arguments. */
const FORWARDED = [
  'getInfo',
  'getBalance',
  'sendPayment',
  'sendPaymentAsync',
  'keysend',
  'makeInvoice',
  'signMessage',
  'verifyMessage',
  'lookupInvoice',
  'lnurl',
  'request',
] as const satisfies readonly PageMethod[];
/** Each method of the community WebLN interface (@webbtc/webln-types): one it gains is missing here, and fails the build. */
type Unprovided = Exclude<keyof WebLNProvider, (typeof FORWARDED)[number] | 'enable' | 'isEnabled' | 'on' | 'off'>;

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
for (const method of FORWARDED) webln[method] = (...args: unknown[]) => call(method, args);

/**
 * 402 walls met by the page's own fetch/XHR: the worker pays from its own
 * observation of the response and adds the header by rule; the page only gets
 * the retried response. Without a bridge (no port) there is no wallet to ask.
 * A worker that died mid-call (EXTENSION_UNAVAILABLE) is asked once more: the
 * next message starts a new one, which recovers what the old one paid.
 */
const askWallet = (url: string): Promise<boolean> => {
  const ask = () => call('paywall', [url]);
  return port
    ? ask()
        .catch((e: { code?: string }) => (e.code === 'EXTENSION_UNAVAILABLE' ? ask() : Promise.reject(e)))
        .then((r) => (r as { retry?: unknown } | undefined)?.retry === true, () => false)
    : Promise.resolve(false);
};
window.fetch = retryingFetch(fetch, askWallet);
window.XMLHttpRequest = retryingXhr(XMLHttpRequest, askWallet);

// Another wallet may already have defined window.webln: the person installed both; don't fight over it.
if (!('webln' in window)) {
  // Frozen and read-only (writable defaults to false); configurable, so a page may still replace it.
  Object.defineProperty(window, 'webln', { value: Object.freeze(webln), enumerable: true, configurable: true });
  fire('webln:ready');
}
