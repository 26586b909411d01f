/**
 * Where a host name or IP address leads: this machine, the person's own network, or the internet.
 * Every "may the wallet contact this?" and "is this page on this machine?" question asks here, so
 * the answers can't drift apart.
 *
 * | kind       | hosts                                                                               |
 * | ---------- | ----------------------------------------------------------------------------------- |
 * | `loopback` | localhost, *.localhost, 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104                      |
 * | `private`  | IPv4 0/8, 10/8, 100.64/10 (CGNAT), 169.254/16 (link-local), 172.16/12, 192.168/16,  |
 * |            |   198.18/15, 224/3 (multicast, reserved, broadcast)                                 |
 * |            | IPv6 ::, ::/96, fc00::/7 (ULA), fe80::/9 (link-local, old site-local), ff00::/8     |
 * |            | names that resolve only inside a network: one label ("router"), *.local (mDNS),     |
 * |            |   *.lan, *.internal, *.home.arpa                                                    |
 * |            | anything that is not a host at all (nothing to fetch; the safe answer for callers)  |
 * | `public`   | everything else, .onion included                                                    |
 *
 * IPv4 inside IPv6 (::ffff:a.b.c.d, and 64:ff9b::a.b.c.d through NAT64) is judged as the IPv4.
 * Hosts are read as the browser's URL parser reads them: "0x7f.1", "2130706433" and "127.1" are
 * all 127.0.0.1. IPv6 may come bracketed (as URLs write it) or bare (as webRequest's `ip` gives
 * it); a port, a zone ("%eth0"), a final dot and letter case don't count. A DNS name is judged by
 * its spelling only: where it resolves is the caller's to check.
 */

export type HostKind = 'loopback' | 'private' | 'public';

export function hostKind(host: string): HostKind {
  const name = canonicalHost(host);
  if (name === undefined) return 'private';
  if (name.startsWith('[')) return ipv6Kind(ipv6Groups(name.slice(1, -1)));
  const v4 = ipv4Octets(name);
  if (v4) return ipv4Kind(v4);
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (!name.includes('.') || PRIVATE_SUFFIX.test(name)) return 'private';
  return 'public';
}

/** Traffic to it never leaves this machine. */
export const isLoopbackHost = (host: string): boolean => hostKind(host) === 'loopback';

/** This machine or the person's own network: what a web page must not make the wallet contact. */
export const isNonPublicHost = (host: string): boolean => hostKind(host) !== 'public';

const PRIVATE_SUFFIX = /\.(local|lan|internal|home\.arpa)$/;

/**
 * The hostname the URL parser makes of `host` (lower case, IPv4 dotted, IPv6 bracketed and
 * compressed); a port is dropped, an IPv6 zone ("%eth0") too. Undefined: not a host at all.
 */
function canonicalHost(host: string): string | undefined {
  let text = host.trim();
  // Bare IPv6 (two colons or more): a URL takes it only in brackets, and without a zone.
  if (!text.startsWith('[') && (text.match(/:/g) ?? []).length >= 2) text = `[${text.replace(/%.*$/, '')}]`;
  try {
    const { hostname } = new URL(`http://${text}/`);
    return hostname.replace(/\.$/, '') || undefined;
  } catch {
    return undefined;
  }
}

function ipv4Octets(name: string): number[] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(name);
  return m ? m.slice(1).map(Number) : undefined;
}

function ipv4Kind([a = 0, b = 0]: number[]): HostKind {
  if (a === 127) return 'loopback';
  const nonPublic =
    a === 0 ||
    a === 10 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224;
  return nonPublic ? 'private' : 'public';
}

/** The eight 16-bit groups of a compressed, hex-only IPv6 address (what the URL parser writes). */
function ipv6Groups(text: string): number[] {
  const [head = '', tail] = text.split('::');
  const part = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const front = part(head);
  const back = tail === undefined ? [] : part(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

function ipv6Kind(g: number[]): HostKind {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = () => ipv4Kind([g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff]);
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(7) && g7 === 1) return 'loopback';
  // ::ffff:a.b.c.d reaches a.b.c.d itself; 64:ff9b::a.b.c.d does through a NAT64 gateway.
  if (zeroTo(5) && g5 === 0xffff) return embeddedV4();
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return embeddedV4();
  // :: and the deprecated IPv4-compatible ::a.b.c.d are nothing a public service answers from.
  if (zeroTo(6)) return 'private';
  if ((g0 & 0xfe00) === 0xfc00 || (g0 & 0xff80) === 0xfe80 || g0 >= 0xff00) return 'private';
  return 'public';
}
