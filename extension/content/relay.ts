import { PAGE_METHODS, type PageMethod, type PortReply, type PortRequest, type WeblnErrorName } from '../../src/webln/page-channel.ts';

/**
 * What the bridge forwards from the page: a known WebLN method name and its
 * params, nothing else. The worker checks all of it again (and takes the
 * origin from the browser); this list only keeps anything else from ever
 * leaving the page's tab.
 */
export const RELAYED_METHODS: ReadonlySet<string> = new Set(PAGE_METHODS);

/**
 * How a call's arguments become the params the worker reads (webln/params.ts),
 * here rather than in the page provider, which every page loads: names for
 * the arguments in order, none (no params), or `first`: the first argument is
 * the params object itself.
 */
const PARAM_NAMES: Record<PageMethod, readonly string[] | 'first'> = {
  enable: [],
  isEnabled: [],
  getInfo: [],
  getBalance: [],
  sendPayment: ['paymentRequest'],
  sendPaymentAsync: ['paymentRequest'],
  keysend: 'first',
  makeInvoice: ['args'],
  signMessage: ['message'],
  verifyMessage: ['signature', 'message'],
  lookupInvoice: 'first',
  lnurl: ['lnurl'],
  request: ['method', 'params'],
  paywall: ['url'],
};

/** A reply the bridge gives itself; `name` is the WebLN error class the provider throws. */
export type LocalReply = PortReply & { error: { code: string; message: string; name: WeblnErrorName } };
export type Forward = { method: string; params?: unknown };
export type Relay = { id: number; forward: Forward } | { reply: LocalReply };
/** The worker's answer to a forwarded request: a reply without its id. */
export type Envelope = Omit<PortReply, 'id'>;

/** One message from the port: forward it, answer it here, or (not a request at all) drop it. */
export function relayOf(data: unknown): Relay | undefined {
  if (!isPortRequest(data)) return undefined;
  const { id, method, args = [] } = data;
  if (!RELAYED_METHODS.has(method)) {
    const error = { code: 'UNSUPPORTED_METHOD', message: 'satnav: unknown method', name: 'UnsupportedMethodError' } as const;
    return { reply: { id, ok: false, error } };
  }
  // Rebuilt from the method and its arguments: whatever else the page put in the message stays behind.
  const names = PARAM_NAMES[method as PageMethod];
  const params = names === 'first' ? args[0] : names.length ? Object.fromEntries(names.map((name, i) => [name, args[i]])) : undefined;
  return { id, forward: params === undefined ? { method } : { method, params } };
}

function isPortRequest(d: unknown): d is PortRequest {
  if (typeof d !== 'object' || d === null) return false;
  const r = d as Record<string, unknown>;
  return (
    Number.isSafeInteger(r.id) && (r.id as number) > 0 && typeof r.method === 'string' && r.method.length <= 64 && (r.args === undefined || Array.isArray(r.args))
  );
}

/**
 * `forward` sent to the worker by `send`: its answer, or undefined when the
 * worker is gone (`send` rejected, or threw at once as Chrome's does once the
 * extension was reloaded under the page, or nobody answered). A 402 the worker died
 * deciding is asked about once more: the next message starts a new worker,
 * which recovers what the old one paid. Only the paywall: asking again buys
 * nothing twice, sending a payment again might.
 */
export async function toWorker(send: (forward: Forward) => Promise<unknown>, forward: Forward): Promise<Envelope | undefined> {
  const once = async () => {
    try {
      return (await send(forward)) as Envelope | undefined;
    } catch {
      return undefined;
    }
  };
  return (await once()) ?? (forward.method === 'paywall' ? once() : undefined);
}
