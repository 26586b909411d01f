import { z } from '../base/zod.ts';

/**
 * Node calls the service worker hands to the offscreen document (extension/offscreen), which
 * makes them where Chrome applies a certificate the person accepted in a tab. One
 * `runtime.Port` per call, named FETCH_RELAY_PORT: the worker sends one `RelayRequest`; the
 * document answers with the response head, the body in chunks, then its end or a failure.
 * Either side closing the port ends the call: the worker's disconnect is its abort.
 *
 * Both ends validate what arrives (src/node/fetch-relay.ts). Runtime messaging is JSON, so
 * bytes travel as base64.
 */
export const FETCH_RELAY_PORT = 'satnav/fetch-relay';

/** Body bytes per chunk message; the document splits larger reads. */
export const CHUNK_BYTES = 64 * 1024;
/** What lnd and tapd are sent: small JSON bodies. */
const MAX_REQUEST_BODY = 1024 * 1024;

// An HTTP token as header name; a value without line breaks (a macaroon in hex is a few kB).
const header = z.tuple([
  z.string().check(z.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/)),
  z.string().check(z.maxLength(16_384), z.regex(/^[^\r\n]*$/)),
]);
const headers = z.array(header).check(z.maxLength(64));

/** Only https: the relay exists for certificates, and a plain-http node needs no document. */
const httpsUrl = z.string().check(
  z.maxLength(8192),
  z.refine((u) => {
    try {
      return new URL(u).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'an https URL'),
);

export const relayRequest = z.strictObject({
  type: z.literal('fetch'),
  url: httpsUrl,
  // What the node client sends (src/node/http.ts).
  method: z.enum(['GET', 'POST', 'DELETE']),
  headers,
  body: z.optional(z.string().check(z.maxLength(MAX_REQUEST_BODY))),
  redirect: z.enum(['follow', 'error', 'manual']),
});
export type RelayRequest = z.infer<typeof relayRequest>;

const base64 = z.string().check(z.maxLength(Math.ceil(CHUNK_BYTES / 3) * 4), z.regex(/^[A-Za-z0-9+/]*={0,2}$/));

export const relayReply = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('head'),
    // What a Response can be constructed with; a redirect not followed comes as 'opaque-redirect'.
    status: z.int().check(z.minimum(200), z.maximum(599)),
    statusText: z.string().check(z.maxLength(1024)),
    headers: z.array(header).check(z.maxLength(128)),
  }),
  // fetch's answer to a redirect it did not follow (`redirect: 'manual'`): no status, no headers.
  z.strictObject({ type: z.literal('opaque-redirect') }),
  z.strictObject({ type: z.literal('chunk'), data: base64 }),
  z.strictObject({ type: z.literal('end') }),
  // The document's fetch failed, or its body did: a network error (TypeError) or an abort.
  z.strictObject({ type: z.literal('fail'), name: z.enum(['TypeError', 'AbortError']), message: z.string().check(z.maxLength(1024)) }),
]);
export type RelayReply = z.infer<typeof relayReply>;
