/**
 * Wire format between the page provider, the bridge and the worker. Kept in
 * its own tiny module because the provider (≤ 8 KB gzip) imports it.
 */
export const PAGE_CHANNEL = 'satnav/page' as const;

export { PAGE_METHODS, type PageMethod } from '../base/page-methods.ts';

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
