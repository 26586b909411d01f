import { parse } from 'tldts';
import { moduleErrors } from '../errors.ts';

/**
 * The "site" a host belongs to: its registrable domain (eTLD+1), the part one
 * owner controls. `a1.evil.com` and `a2.evil.com` cost their owner nothing to
 * mint, so limits meant for one party (prompt back-off, invoice caps) count by
 * this, not by origin.
 *
 * The Public Suffix List comes from `tldts`, private section included:
 * `alice.github.io` and `bob.github.io` belong to different people, as they
 * do for the browser's own site isolation and cookies.
 */
const err = moduleErrors('site');

/**
 * `hostOrOrigin`: a host (`shop.example.co.uk`, `127.0.0.1`, `[::1]`,
 * `localhost:5173`) or an origin/URL (`https://shop.example.co.uk:8443`).
 * A host with no registrable part above it (an IP literal, `localhost`, an
 * intranet name, a bare public suffix) is its own site: nobody shares it.
 */
export function registrableDomain(hostOrOrigin: string): string {
  // Through URL first: it lowercases, turns Unicode into punycode as browsers'
  // origins are, and strips port and path, so both spellings land on one key.
  let hostname: string;
  try {
    hostname = new URL(hostOrOrigin.includes('://') ? hostOrOrigin : `http://${hostOrOrigin}`).hostname;
  } catch {
    throw err('INVALID_HOST', 'not a host or origin', hostOrOrigin);
  }
  if (!hostname) throw err('INVALID_HOST', 'not a host or origin', hostOrOrigin);
  hostname = hostname.replace(/\.$/, '');
  const parsed = parse(hostname, { allowPrivateDomains: true });
  return (!parsed.isIp && parsed.domain) || hostname;
}
