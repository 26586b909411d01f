/**
 * Websites as people should read them: the host is what identifies a site, so
 * it is shown big; the scheme small; and plain http from another machine is
 * flagged, since anyone on the network path can rewrite what that page asks.
 */
import { isLoopbackHost } from '../../src/base/net.ts';

export interface OriginParts {
  /** "https://", "http://"; empty when the origin is not a URL. */
  scheme: string;
  /** Host and port: "shop.example", "127.0.0.1:8900". */
  host: string;
  /** https, or http to this machine (which browsers also treat as trustworthy). */
  secure: boolean;
}

export function originParts(origin: string): OriginParts {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return { scheme: '', host: origin, secure: false };
  }
  if (!url.host) return { scheme: '', host: origin, secure: false };
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  return { scheme: `${url.protocol}//`, host: url.host, secure };
}

/**
 * Whether `hostname` (a host without port, as LNURL names a service's domain) is
 * the host of `origin`. Case and a final dot don't count; anything else, even a
 * subdomain, is another host.
 */
export function isSameHost(origin: string, hostname: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const plain = (name: string) => name.toLowerCase().replace(/\.$/, '');
  return url.hostname !== '' && plain(url.hostname) === plain(hostname);
}
