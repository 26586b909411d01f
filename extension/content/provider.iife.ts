import { WEBLN_ERROR_NAMES, type PortReply, type PortRequest, type WeblnErrorName } from '../../src/webln/page-channel.ts';
import { acceptPort } from './handshake.ts';
import { retryingFetch, retryingXhr } from './paywall-retry.ts';
import { PAYWALL_EVENT, refetch } from './refetch.ts';
import type {
  GetBalanceResponse,
  GetInfoResponse,
  KeysendArgs,
  LookupInvoiceArgs,
  LookupInvoiceResponse,
  MakeInvoiceResponse,
  RequestInvoiceArgs,
  SendPaymentResponse,
  SignMessageResponse,
  WebLNProvider,
} from '@webbtc/webln-types';

/**
 * `window.webln` in the page's own world. It holds no secrets and decides
 * nothing: every call goes over the private port to the bridge and the worker,
 * which apply permissions and budgets. Kept tiny (budget: 8 KB gzip).
 */
type Listener = (...args: unknown[]) => void;

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const queued: PortRequest[] = [];
const listeners = new Map<string, Set<Listener>>();
let port: MessagePort | undefined;
let nextId = 1;

acceptPort((p) => {
  port = p;
  p.onmessage = (event: MessageEvent<PortReply>) => onReply(event.data);
  for (const request of queued.splice(0)) p.postMessage(request);
});

function call(method: string, params?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request: PortRequest = { id: nextId++, method, params };
    pending.set(request.id, { resolve, reject });
    if (port) port.postMessage(request);
    else queued.push(request);
  });
}

function onReply(reply: PortReply): void {
  if (reply.id === 0) {
    // Not a WebLN event: the worker paid a wall an element met; the elements load it again (refetch.ts).
    if (reply.event === PAYWALL_EVENT) {
      if (typeof reply.result === 'string') refetch(document, reply.result);
      return;
    }
    if (reply.event) for (const fn of listeners.get(reply.event) ?? []) fn();
    return;
  }
  const waiter = pending.get(reply.id);
  if (!waiter) return;
  pending.delete(reply.id);
  if (reply.ok) waiter.resolve(reply.result);
  else waiter.reject(toError(reply.error));
}

function toError(info: PortReply['error'] & { name?: string } = { code: 'INTERNAL', message: 'Unknown error' }): Error {
  const error = new Error(info.message);
  const name = info.name as WeblnErrorName | undefined;
  error.name = name && WEBLN_ERROR_NAMES.includes(name) ? name : 'InternalError';
  (error as Error & { code: string }).code = info.code;
  return error;
}

function fire(name: string): void {
  window.dispatchEvent(new Event(name));
  document.dispatchEvent(new Event(name));
}

let enabled = false;

/** Typed against the community WebLN interface (@webbtc/webln-types): a renamed or missing method fails the build. */
const webln: WebLNProvider & { readonly enabled: boolean; sendPaymentAsync(paymentRequest: string): Promise<Record<string, never>> } = Object.freeze({
  get enabled() {
    return enabled;
  },
  async enable() {
    await call('enable');
    enabled = true;
    fire('webln:enabled');
  },
  isEnabled: async () => (enabled = (await call('isEnabled')) === true),
  getInfo: () => call('getInfo') as Promise<GetInfoResponse>,
  sendPayment: (paymentRequest: string) => call('sendPayment', { paymentRequest }) as Promise<SendPaymentResponse>,
  sendPaymentAsync: (paymentRequest: string) => call('sendPaymentAsync', { paymentRequest }) as Promise<Record<string, never>>,
  keysend: (args: KeysendArgs) => call('keysend', args) as Promise<SendPaymentResponse>,
  makeInvoice: (args: string | number | RequestInvoiceArgs) => call('makeInvoice', { args }) as Promise<MakeInvoiceResponse>,
  signMessage: (message: string) => call('signMessage', { message }) as Promise<SignMessageResponse>,
  // Resolves with { valid, pubkey } (rejects when invalid); the interface only promises void.
  verifyMessage: (signature: string, message: string) => call('verifyMessage', { signature, message }) as Promise<void>,
  getBalance: () => call('getBalance') as Promise<GetBalanceResponse>,
  lookupInvoice: (args: LookupInvoiceArgs) => call('lookupInvoice', args) as Promise<LookupInvoiceResponse>,
  lnurl: (lnurl: string) => call('lnurl', { lnurl }) as Promise<Awaited<ReturnType<NonNullable<WebLNProvider['lnurl']>>>>,
  request: (method: string, params?: unknown) => call('request', { method, params }),
  on(event: string, fn: Listener) {
    if (typeof fn !== 'function') return;
    (listeners.get(event) ?? listeners.set(event, new Set()).get(event))!.add(fn);
  },
  off(event: string, fn: Listener) {
    listeners.get(event)?.delete(fn);
  },
});

/**
 * 402 walls met by the page's own fetch/XHR: the worker pays from its own
 * observation of the response and adds the header by rule; the page only gets
 * the retried response. Without a bridge (no port) there is no wallet to ask.
 * A worker that died mid-call (EXTENSION_UNAVAILABLE) is asked once more: the
 * next message starts a new one, which recovers what the old one paid.
 */
const askWallet = (url: string): Promise<boolean> => {
  if (!port) return Promise.resolve(false);
  const ask = () => call('paywall', { url });
  return ask()
    .catch((e: { code?: string }) => (e.code === 'EXTENSION_UNAVAILABLE' ? ask() : Promise.reject(e)))
    .then((r) => (r as { retry?: unknown } | undefined)?.retry === true, () => false);
};
window.fetch = retryingFetch(window.fetch.bind(window), askWallet);
window.XMLHttpRequest = retryingXhr(window.XMLHttpRequest, askWallet);

// Another wallet may already have defined window.webln: the person installed both; don't fight over it.
if (!('webln' in window)) {
  Object.defineProperty(window, 'webln', { value: webln, enumerable: true, configurable: true, writable: false });
  fire('webln:ready');
}
