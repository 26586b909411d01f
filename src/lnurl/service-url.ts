/**
 * Which URLs the wallet may contact for LNURL (LUD-01 "HTTPS or Onion"), and how callback query
 * parameters are added (LUD-03/04/06 "<callback><?|&>…").
 *
 * | URL                                        | allowed                                          |
 * | ------------------------------------------ | ------------------------------------------------ |
 * | https://host/…                             | yes                                              |
 * | http://…onion/…                            | yes (the onion address is the authentication)    |
 * | http:// to this machine (base/net.ts)      | only with `allowInsecureLocalhost` (the devnet)  |
 * | a host in a private network or on this     | only with `allowInsecureLocalhost`: a page must  |
 * |   machine, by address or by name           |   not make the wallet probe the person's network |
 * | anything else, or with user:pass@          | no: LNURL_INVALID (LNURL_BAD_RESPONSE when a     |
 * |                                            |   service answered with it)                      |
 * | a callback on another host than the        | no: LNURL_CALLBACK_HOST (the domain the person   |
 * |   service that gave it                     |   saw must be the one that pays or is paid)      |
 */
import { isLoopbackHost, isNonPublicHost } from '../base/net.ts';
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('lnurl');

export interface LnurlOptions {
  /**
   * The devnet: a demo/test build and an asking page on this machine. Lets plain http to this
   * machine and hosts in private networks through. Release builds never set it.
   */
  allowInsecureLocalhost?: boolean;
}

/** What a broken rule is: the caller's LNURL (LNURL_INVALID), or a service's answer (LNURL_BAD_RESPONSE). */
export type UrlFault = 'LNURL_INVALID' | 'LNURL_BAD_RESPONSE';

const isOnion = (hostname: string) => hostname.endsWith('.onion');

/** The scheme a host without one (LUD-16 domain, LUD-17 link) is reached by. */
export function schemeFor(hostname: string, opts: LnurlOptions): 'https:' | 'http:' {
  return isOnion(hostname) || (opts.allowInsecureLocalhost === true && isLoopbackHost(hostname)) ? 'http:' : 'https:';
}

/** Parses `raw` and enforces the table above; `what` names the URL in the error ("callback"). */
export function checkServiceUrl(raw: string, what: string, opts: LnurlOptions = {}, fault: UrlFault = 'LNURL_INVALID'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw err(fault, `${what} is not a URL`, raw);
  }
  // "https://shop.com@evil.com" shows one domain and contacts another.
  if (url.username !== '' || url.password !== '') throw err(fault, `${what} must not contain a user name or password`, raw);
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && schemeFor(url.hostname, opts) === 'http:');
  if (!secure) throw err(fault, `${what} must be https (http only for .onion)`, raw);
  if (!opts.allowInsecureLocalhost && isNonPublicHost(url.hostname)) throw err(fault, `${what} points into a private network`, url.hostname);
  return url;
}

/** A service's callback: the rules above, on the very host (`domain`) that handed it over. */
export function checkCallback(raw: string, domain: string, opts: LnurlOptions = {}, fault: UrlFault = 'LNURL_INVALID'): URL {
  const url = checkServiceUrl(raw, 'callback', opts, fault);
  if (url.hostname !== domain) throw err('LNURL_CALLBACK_HOST', 'callback is on another host than the service', `${url.hostname} ≠ ${domain}`);
  return url;
}

/**
 * `url` with `params` appended to its query, leaving the existing query byte for byte as it was
 * (a service may sign it). The fragment is dropped: it is never sent.
 */
export function withQuery(url: URL, params: Readonly<Record<string, string>>): string {
  const out = new URL(url);
  out.hash = '';
  const added = new URLSearchParams(params).toString();
  out.search = out.search.length > 1 ? `${out.search}&${added}` : `?${added}`;
  return out.href;
}
