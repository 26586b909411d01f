/**
 * Wire format between the page provider, the bridge and the worker. Kept in
 * its own tiny module because the content scripts import it (the provider,
 * which every page loads, only its types).
 */
export const PAGE_CHANNEL = 'satnav/page' as const;

export { PAGE_METHODS, type PageMethod } from '../base/page-methods.ts';

/**
 * Provider → bridge, over the private MessagePort: a call's arguments as the
 * page passed them. The bridge names them for the worker (content/relay.ts).
 */
export interface PortRequest {
  id: number;
  method: string;
  args?: unknown[];
}
/**
 * Bridge → provider: a reply to request `id`, or a pushed event (`id` 0). An
 * error's `name`, the WebLN class the page sees, is chosen by the worker or
 * the bridge (never from page data), so the provider ships no list of its own:
 * the page's error is this object's fields on an Error.
 */
export interface PortReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; name: WeblnErrorName };
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
