/**
 * Wire format between the page provider, the bridge and the worker. Kept in
 * its own tiny module because the provider (≤ 8 KB gzip) imports it.
 */
export const PAGE_CHANNEL = 'satnav/page' as const;

/** Methods a site may be granted or refused one by one (the policy's per-site `methods`). */
export const GRANTABLE_METHODS = [
  'getInfo',
  'sendPayment',
  'sendPaymentAsync',
  'keysend',
  'makeInvoice',
  'signMessage',
  'verifyMessage',
  'lnurl',
  'getBalance',
  'request',
] as const;

/** Every method a page may call on `window.webln` that reaches the worker (params: see params.ts). */
export const PAGE_METHODS = ['enable', 'isEnabled', 'lookupInvoice', ...GRANTABLE_METHODS] as const;
export type PageMethod = (typeof PAGE_METHODS)[number];

/** Provider → bridge, over the private MessagePort. */
export interface PortRequest {
  id: number;
  method: string;
  params?: unknown;
}
/** Bridge → provider: a reply to request `id`, or a pushed event (`id` 0). */
export interface PortReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
  event?: string;
}

/** WebLN error class names (from the `webln` package) a page may switch on. */
export const WEBLN_ERROR_NAMES = [
  'RejectionError',
  'MissingProviderError',
  'ConnectionError',
  'UnsupportedMethodError',
  'RoutingError',
  'InvalidDataError',
  'InternalError',
] as const;
export type WeblnErrorName = (typeof WEBLN_ERROR_NAMES)[number];
