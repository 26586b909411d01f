/**
 * One GET to an LNURL service. LUD-01: status codes and headers mean nothing; the body is parsed
 * as JSON whatever they say, and `{"status":"ERROR","reason":…}` is the service's own refusal.
 *
 * | code                | when                                                        |
 * | ------------------- | ----------------------------------------------------------- |
 * | LNURL_UNREACHABLE   | the request failed: refused, DNS, reset, blocked            |
 * | LNURL_TIMEOUT       | no complete answer within `timeoutMs` (default 10 s)        |
 * | LNURL_BAD_RESPONSE  | not JSON, not an object, or redirected to a forbidden URL   |
 * | LNURL_SERVICE_ERROR | the service answered status ERROR (its reason is kept)      |
 */
import { isSatnavError, moduleErrors } from '../errors.ts';
import { checkServiceUrl, type LnurlOptions } from './service-url.ts';

const err = moduleErrors('lnurl');

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Longest service-given reason kept in error details (the message shows less). */
const MAX_REASON = 300;

export interface LnurlFetchOptions extends LnurlOptions {
  /** Injected for tests and for the browser worker; defaults to globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
  /** Deadline for each request, body included, in ms. */
  timeoutMs?: number;
}

export type JsonObject = Record<string, unknown>;

/** GETs `url` and returns the JSON object it answers, or throws one of the codes above. */
export async function getJson(url: string, opts: LnurlFetchOptions = {}): Promise<JsonObject> {
  const where = new URL(url).host;
  const f = opts.fetch ?? globalThis.fetch;
  let text: string;
  try {
    const res = await f(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      // LNURL-auth must not tie the linking key to a site session: no cookies either way.
      credentials: 'omit',
      signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    if (res.redirected) checkRedirect(res.url, opts);
    text = await res.text();
  } catch (e) {
    if (isSatnavError(e)) throw e;
    if (e instanceof Error && e.name === 'TimeoutError') throw err('LNURL_TIMEOUT', 'service did not answer in time', where);
    throw err('LNURL_UNREACHABLE', 'cannot reach service', where);
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
    const reason = typeof obj.reason === 'string' && obj.reason !== '' ? obj.reason.slice(0, MAX_REASON) : 'no reason given';
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

function checkRedirect(finalUrl: string, opts: LnurlOptions): void {
  try {
    checkServiceUrl(finalUrl, 'redirect', opts);
  } catch {
    throw err('LNURL_BAD_RESPONSE', 'service redirected to a forbidden URL', finalUrl);
  }
}
