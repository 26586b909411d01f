/**
 * Which URLs the wallet may contact for LNURL (LUD-01 "HTTPS or Onion"), and how callback query
 * parameters are added (LUD-03/04/06 "<callback><?|&>…").
 *
 * | URL                                   | allowed                                       |
 * | ------------------------------------- | --------------------------------------------- |
 * | https://host/…                        | yes                                           |
 * | http://…onion/…                       | yes (the onion address is the authentication) |
 * | http://127.0.0.1, localhost, [::1]    | only with `allowInsecureLocalhost` (devnet)   |
 * | a private, loopback or link-local     | only with `allowInsecureLocalhost`: a page    |
 * |   address, or a *.local/.internal/.lan |   must not make the wallet probe the person's |
 * |   /.home.arpa name                     |   own network                                 |
 * | anything else, or with user:pass@     | no: LNURL_INVALID                             |
 */
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('lnurl');

export interface LnurlOptions {
  /**
   * The asking page is itself on this machine (the local demo and devnet): lets http to
   * 127.0.0.1 / localhost / [::1] and private-network hosts through.
   */
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
  if (!opts.allowInsecureLocalhost && isPrivateHost(url.hostname)) {
    throw err('LNURL_INVALID', `${what} points into a private network`, url.hostname);
  }
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

const PRIVATE_NAME = /(^|\.)(localhost|local|internal|lan|home\.arpa)$/i;

/**
 * Loopback, private (RFC 1918, RFC 4193), link-local, CGNAT and unspecified
 * addresses, and names that only resolve inside a home or company network.
 * A DNS name resolving to such an address can't be seen from here; this stops
 * the direct forms.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (PRIVATE_NAME.test(host)) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (host.includes(':')) {
    // ::, ::1, IPv4-mapped (::ffff:…), unique local fc00::/7, link-local fe80::/10.
    return host === '::' || host === '::1' || host.startsWith('::ffff:') || /^f[cd]/.test(host) || /^fe[89ab]/.test(host);
  }
  return false;
}
