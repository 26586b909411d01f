/**
 * One GET to an LNURL service. LUD-01: status codes and headers mean nothing; the body is parsed
 * as JSON whatever they say, and `{"status":"ERROR","reason":…}` is the service's own refusal.
 *
 * A web page chooses these URLs, so the request must not become the page's way into the
 * person's network:
 *
 * - redirects are never followed: a browser hides where a manual redirect points, so the next
 *   hop can't be checked before it is sent; the answer is refused instead;
 * - with `addresses`, the IP address the answer came from is checked: a public name that leads
 *   into a private network is refused (unless `allowInsecureLocalhost`, the devnet);
 * - no cookies, no cache (a cached answer has no address to check);
 * - `beforeRequest` runs before every request (the wallet refuses while locked).
 *
 * | code                  | when                                                             |
 * | --------------------- | ---------------------------------------------------------------- |
 * | LNURL_UNREACHABLE     | the request failed: refused, DNS, reset, blocked                 |
 * | LNURL_TIMEOUT         | no complete answer within `timeoutMs` (default 10 s)             |
 * | LNURL_REDIRECT        | the service answered with a redirect                             |
 * | LNURL_PRIVATE_ADDRESS | the answer came from a private or loopback address, or from one |
 * |                       |   the browser did not report                                     |
 * | LNURL_BAD_RESPONSE    | not JSON, or not an object                                       |
 * | LNURL_SERVICE_ERROR   | the service answered status ERROR (its reason is kept)           |
 *
 * These say what happened on the wire, for the person and the log; a page must hear one and the
 * same failure for all of them (webln/lnurl-flow.ts), or it could tell an open port from a closed one.
 */
import { serviceText } from './service-text.ts';
import { isNonPublicHost } from '../base/net.ts';
import { isSatnavError, moduleErrors } from '../errors.ts';
import { type LnurlOptions } from './service-url.ts';

const err = moduleErrors('lnurl');

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Longest service-given reason kept in error details (the message shows less). */
const MAX_REASON = 300;
const REDIRECT_STATUS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One watched request: where its answer came from, as the browser saw it. */
export interface AddressWatch {
  /** The IP address the answer came from; undefined when the browser did not say. Asked once the answer started. */
  reached(): Promise<string | undefined>;
  stop(): void;
}

/** Tells which IP address a request really reached (the worker reads webRequest's `ip`; Node can't). */
export interface RemoteAddresses {
  /** Starts watching `url`; called before the request is sent. */
  watch(url: string): Promise<AddressWatch>;
}

export interface LnurlFetchOptions extends LnurlOptions {
  /** Injected for tests and for the browser worker; defaults to globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  /** Deadline for each request, body included, in ms. */
  timeoutMs?: number;
  /** Where answers really came from; without it only the host names are checked. */
  addresses?: RemoteAddresses;
  /** Runs before every request; what it throws stops the request (e.g. the wallet is locked). */
  beforeRequest?: () => Promise<void>;
}

export type JsonObject = Record<string, unknown>;

/** GETs `url` and returns the JSON object it answers, or throws one of the codes above. */
export async function getJson(url: string, opts: LnurlFetchOptions = {}): Promise<JsonObject> {
  const target = new URL(url);
  const where = target.host;
  await opts.beforeRequest?.();
  const f = opts.fetch ?? globalThis.fetch;
  // Private networks are allowed only on the devnet; an onion service is reached through a local
  // proxy, whose address is all the browser sees.
  const checkAddress = opts.addresses !== undefined && !opts.allowInsecureLocalhost && !target.hostname.endsWith('.onion');
  const watch = checkAddress ? await opts.addresses?.watch(url) : undefined;
  const signal = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let text: string;
  try {
    const res = await f(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      // LNURL-auth must not tie the linking key to a site session: no cookies either way.
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'manual',
      signal,
    });
    // A browser answers a manual redirect with an opaque response; Node with the 3xx itself.
    // `redirected`: a fetch that followed anyway.
    if (res.type === 'opaqueredirect' || REDIRECT_STATUS.has(res.status) || res.redirected) {
      throw err('LNURL_REDIRECT', 'service answered with a redirect, which is not followed', where);
    }
    if (watch) {
      const address = await untilAborted(watch.reached(), signal);
      if (address === undefined) throw err('LNURL_PRIVATE_ADDRESS', 'the browser did not say where the answer came from', where);
      if (isNonPublicHost(address)) throw err('LNURL_PRIVATE_ADDRESS', 'service answered from a private address', `${where} at ${address}`);
    }
    text = await res.text();
  } catch (e) {
    if (isSatnavError(e)) throw e;
    if (e instanceof Error && e.name === 'TimeoutError') throw err('LNURL_TIMEOUT', 'service did not answer in time', where);
    throw err('LNURL_UNREACHABLE', 'cannot reach service', where);
  } finally {
    watch?.stop();
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw err('LNURL_BAD_RESPONSE', 'service answer is not JSON', `${where}: ${text.slice(0, 40)}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw err('LNURL_BAD_RESPONSE', 'service answer is not a JSON object', where);
  }
  const obj = body as JsonObject;
  if (typeof obj.status === 'string' && obj.status.toUpperCase() === 'ERROR') {
    // Cleaned here, where it enters: the Send screen, the page's webln.lnurl and the notices all show it.
    const reason = (typeof obj.reason === 'string' ? serviceText(obj.reason, MAX_REASON) : '') || 'no reason given';
    throw err('LNURL_SERVICE_ERROR', 'service refused', reason, { reason, domain: where });
  }
  return obj;
}

/** The `{"status":"OK"}` answer that ends withdraw and auth. */
export function expectOk(body: JsonObject, what: string): void {
  if (typeof body.status !== 'string' || body.status.toUpperCase() !== 'OK') {
    throw err('LNURL_BAD_RESPONSE', `${what}: service did not answer status OK`, body.status ?? '(none)');
  }
}

/** `p`, or the signal's reason once it aborts (a watch that never answers must not outlive the deadline). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    p.then(resolve, reject);
  });
}
