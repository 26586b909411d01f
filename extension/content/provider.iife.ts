import { WEBLN_ERROR_NAMES, type PortReply, type PortRequest, type WeblnErrorName } from '../../src/webln/page-channel.ts';
import { acceptPort } from './handshake.ts';

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

const webln = Object.freeze({
  get enabled() {
    return enabled;
  },
  async enable() {
    await call('enable');
    enabled = true;
    fire('webln:enabled');
  },
  isEnabled: async () => (enabled = (await call('isEnabled')) === true),
  getInfo: () => call('getInfo'),
  sendPayment: (paymentRequest: string) => call('sendPayment', { paymentRequest }),
  sendPaymentAsync: (paymentRequest: string) => call('sendPaymentAsync', { paymentRequest }),
  keysend: (args: unknown) => call('keysend', args),
  makeInvoice: (args?: unknown) => call('makeInvoice', { args }),
  signMessage: (message: string) => call('signMessage', { message }),
  verifyMessage: (signature: string, message: string) => call('verifyMessage', { signature, message }),
  getBalance: () => call('getBalance'),
  lookupInvoice: (args: unknown) => call('lookupInvoice', args),
  lnurl: (lnurl: string) => call('lnurl', { lnurl }),
  request: (method: string, params?: unknown) => call('request', { method, params }),
  on(event: string, fn: Listener) {
    if (typeof fn !== 'function') return;
    (listeners.get(event) ?? listeners.set(event, new Set()).get(event))!.add(fn);
  },
  off(event: string, fn: Listener) {
    listeners.get(event)?.delete(fn);
  },
});

// Another wallet may already have defined window.webln: the person installed both; don't fight over it.
if (!('webln' in window)) {
  Object.defineProperty(window, 'webln', { value: webln, enumerable: true, configurable: true, writable: false });
  fire('webln:ready');
}
