import { PAGE_METHODS, type PortReply, type PortRequest, type WeblnErrorName } from '../../src/webln/page-channel.ts';

/**
 * What the bridge forwards from the page: a known WebLN method name and its
 * params, nothing else. The worker checks all of it again (and takes the
 * origin from the browser); this list only keeps anything else from ever
 * leaving the page's tab. `weblnParams` has exactly these keys (type-checked).
 */
export const RELAYED_METHODS: ReadonlySet<string> = new Set(PAGE_METHODS);

/** A reply the bridge gives itself; `name` is the WebLN error class the provider throws. */
export type LocalReply = PortReply & { error: { code: string; message: string; name: WeblnErrorName } };
export type Relay = { id: number; forward: { method: string; params?: unknown } } | { reply: LocalReply };

/** One message from the port: forward it, answer it here, or (not a request at all) drop it. */
export function relayOf(data: unknown): Relay | undefined {
  if (!isPortRequest(data)) return undefined;
  if (!RELAYED_METHODS.has(data.method)) {
    const error = { code: 'UNSUPPORTED_METHOD', message: 'satnav: unknown method', name: 'UnsupportedMethodError' } as const;
    return { reply: { id: data.id, ok: false, error } };
  }
  // Rebuilt from the two fields: whatever else the page put in the message stays behind.
  return { id: data.id, forward: data.params === undefined ? { method: data.method } : { method: data.method, params: data.params } };
}

function isPortRequest(d: unknown): d is PortRequest {
  if (typeof d !== 'object' || d === null) return false;
  const r = d as Record<string, unknown>;
  return Number.isSafeInteger(r.id) && (r.id as number) > 0 && typeof r.method === 'string' && r.method.length <= 64;
}
