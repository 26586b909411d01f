/**
 * Test helpers for the lnurl tests (not exported from index.ts): a fake LNURL service behind a
 * fake `fetch` that records every call, and signed BOLT #11 invoices to put in its answers.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '@scure/base';
import { encodeInvoice, type InvoiceField } from '../../devnet/bolt11-encode.ts';

/** What the fake service does for one request. */
export type Answer =
  | { json: unknown }
  | { text: string }
  /** Never answers: the request ends only when its signal aborts. */
  | { hang: true }
  /** fetch rejects as for a refused connection. */
  | { unreachable: true }
  /** A 302 to `location`: followed, answered as is or refused as the request's `redirect` says, like fetch. */
  | { redirect: string }
  /** What a browser's fetch gives for any redirect under `redirect: 'manual'`: status 0, no Location. */
  | { opaqueRedirect: true };

export interface Call {
  url: URL;
  init: RequestInit | undefined;
}

/** Routes are keyed by origin + path (query ignored); an unknown route is unreachable. */
export function fakeService(routes: Record<string, Answer | ((url: URL) => Answer)>) {
  const calls: Call[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    calls.push({ url, init });
    const route = routes[`${url.origin}${url.pathname}`];
    const answer: Answer = typeof route === 'function' ? route(url) : (route ?? { unreachable: true });
    if ('hang' in answer) {
      return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }
    if ('unreachable' in answer) throw new TypeError('fetch failed');
    if ('text' in answer) return new Response(answer.text, { status: 200 });
    if ('opaqueRedirect' in answer) return Object.defineProperties(new Response(null), { type: { value: 'opaqueredirect' }, status: { value: 0 } });
    if ('redirect' in answer) {
      if (init?.redirect === 'manual') return new Response(null, { status: 302, headers: { location: answer.redirect } });
      if (init?.redirect === 'error') throw new TypeError('fetch failed: redirect');
      const next = await fetch(answer.redirect, init);
      // A constructed Response cannot be marked redirected; a view of one can.
      return Object.defineProperties(next, { redirected: { value: true }, url: { value: answer.redirect } });
    }
    return new Response(JSON.stringify(answer.json), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const PAYEE_SECRET = new Uint8Array(32).fill(7);

/** A regtest invoice signed by a fixed key, committing to `description` by hash or in full. */
export function signedInvoice(opts: { amountMsat?: bigint; descriptionHashOf?: string; description?: string }): string {
  const fields: InvoiceField[] = [
    { type: 'p', paymentHash: new Uint8Array(32).fill(1) },
    { type: 's', paymentSecret: new Uint8Array(32).fill(2) },
    opts.descriptionHashOf !== undefined
      ? { type: 'h', descriptionHash: sha256(utf8.decode(opts.descriptionHashOf)) }
      : { type: 'd', description: opts.description ?? '' },
  ];
  return encodeInvoice(
    { currency: 'bcrt', timestamp: 1_700_000_000, fields, ...(opts.amountMsat !== undefined && { amountMsat: opts.amountMsat }) },
    PAYEE_SECRET,
  );
}
