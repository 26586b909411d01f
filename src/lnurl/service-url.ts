/**
 * Which URLs the wallet may contact for LNURL (LUD-01 "HTTPS or Onion"), and how callback query
 * parameters are added (LUD-03/04/06 "<callback><?|&>…").
 *
 * | URL                                   | allowed                                       |
 * | ------------------------------------- | --------------------------------------------- |
 * | https://host/…                        | yes                                           |
 * | http://…onion/…                       | yes (the onion address is the authentication) |
 * | http://127.0.0.1, localhost, [::1]    | only with `allowInsecureLocalhost` (devnet)   |
 * | anything else, or with user:pass@     | no: LNURL_INVALID                             |
 */
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('lnurl');

export interface LnurlOptions {
  /** Lets http://127.0.0.1, http://localhost and http://[::1] through: the local demo and devnet only. */
  allowInsecureLocalhost?: boolean;
}

const LOCAL_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

const isOnion = (hostname: string) => hostname.endsWith('.onion');

/** The scheme a host without one (LUD-16 domain, LUD-17 link) is reached by. */
export function schemeFor(hostname: string, opts: LnurlOptions): 'https:' | 'http:' {
  return isOnion(hostname) || (opts.allowInsecureLocalhost === true && LOCAL_HOSTS.has(hostname)) ? 'http:' : 'https:';
}

/** Parses `raw` and enforces the table above; `what` names the URL in the error ("callback"). */
export function checkServiceUrl(raw: string, what: string, opts: LnurlOptions = {}): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw err('LNURL_INVALID', `${what} is not a URL`, raw);
  }
  // "https://shop.com@evil.com" shows one domain and contacts another.
  if (url.username !== '' || url.password !== '') throw err('LNURL_INVALID', `${what} must not contain a user name or password`, raw);
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && schemeFor(url.hostname, opts) === 'http:') return url;
  throw err('LNURL_INVALID', `${what} must be https (http only for .onion)`, raw);
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
