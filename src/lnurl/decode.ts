/**
 * Text a person pastes, scans or a page hands over → the URL of an LNURL service.
 *
 * | input (optionally after `lightning:`)             | URL contacted                               |
 * | ------------------------------------------------- | ------------------------------------------- |
 * | lnurl1… / LNURL1… (LUD-01 bech32, any length)     | the URL it encodes                          |
 * | lnurlp:// lnurlw:// lnurlc:// keyauth:// (LUD-17) | https://… (http://… for .onion)             |
 * | user@domain (LUD-16)                              | https://domain/.well-known/lnurlp/user      |
 * | https://…?lightning=<bech32 or LUD-17> (LUD-01)   | what the parameter decodes to               |
 *
 * Every resulting URL must pass `checkServiceUrl` (https, or http only for .onion).
 */
import { bech32, utf8 } from '@scure/base';
import { moduleErrors } from '../errors.ts';
import { lightningAddressUrl, parseLightningAddress } from './address.ts';
import { checkServiceUrl, schemeFor, type LnurlOptions } from './service-url.ts';

const err = moduleErrors('lnurl');

export type LnurlTag = 'payRequest' | 'withdrawRequest' | 'channelRequest' | 'login';

export interface Lnurl {
  /** The service URL: GET it for parameters, or (tag=login) sign it. */
  url: string;
  /** Host name to show the person; LNURL-auth keys are derived from it. */
  domain: string;
  /** What the link promises to be (LUD-17 scheme, or payRequest for an address); the answer must match. */
  expectedTag?: LnurlTag;
  /** The lightning address it came from, lower case. */
  address?: string;
}

const HRP = 'lnurl';
/** LUD-17 schemes and the tag each one stands for. */
const SCHEMES: ReadonlyMap<string, LnurlTag> = new Map([
  ['lnurlc', 'channelRequest'],
  ['lnurlw', 'withdrawRequest'],
  ['lnurlp', 'payRequest'],
  ['keyauth', 'login'],
]);
const LIGHTNING_PREFIX = /^lightning:(\/\/)?/i;
const SCHEME_LINK = /^([a-z]+):\/\/(.*)$/is;
const INVOICE = /^ln(bc|tb|bcrt|tbs|sb)[0-9]*[munp]?1/i;

/** Decodes any of the forms in the table; LNURL_INVALID says which rule `input` broke. */
export function decodeLnurl(input: string, opts: LnurlOptions = {}): Lnurl {
  const text = input.trim().replace(LIGHTNING_PREFIX, '');
  if (text === '') throw err('LNURL_INVALID', 'empty LNURL');
  const link = decodeLink(text, opts);
  if (link) return link;
  if (/^https?:\/\//i.test(text)) return decodeFallback(text, opts);
  if (text.includes('@')) {
    const address = parseLightningAddress(text);
    const url = checkServiceUrl(lightningAddressUrl(address, opts), 'lightning address', opts);
    return { url: url.href, domain: url.hostname, expectedTag: 'payRequest', address: `${address.user}@${address.domain}` };
  }
  if (INVOICE.test(text)) throw err('LNURL_INVALID', 'this is a Lightning invoice, not an LNURL', text);
  throw err('LNURL_INVALID', 'not an LNURL or lightning address', text);
}

/** LUD-01: the bech32 form services show, lower case (upper case it for a QR code). */
export function encodeLnurl(url: string): string {
  return bech32.encode(HRP, bech32.toWords(utf8.decode(url)), false);
}

/** The bech32 and LUD-17 forms; undefined for anything else. */
function decodeLink(text: string, opts: LnurlOptions): Lnurl | undefined {
  if (text.toLowerCase().startsWith(`${HRP}1`)) {
    const url = checkServiceUrl(bech32Url(text), 'LNURL', opts);
    return { url: url.href, domain: url.hostname };
  }
  const m = SCHEME_LINK.exec(text);
  const tag = m && SCHEMES.get(m[1]!.toLowerCase());
  if (!m || !tag) return undefined;
  const rest = m[2]!;
  // URL parsing would read "lnurlp:///path" as the host "path".
  if (/^[/\\?#]|^$/.test(rest)) throw err('LNURL_INVALID', 'link has no host', text);
  let hostname: string;
  try {
    hostname = new URL(`https://${rest}`).hostname;
  } catch {
    throw err('LNURL_INVALID', 'link is not a URL', text);
  }
  const url = checkServiceUrl(`${schemeFor(hostname, opts)}//${rest}`, 'LNURL', opts);
  return { url: url.href, domain: url.hostname, expectedTag: tag };
}

function bech32Url(text: string): string {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) throw err('LNURL_INVALID', 'LNURL mixes upper and lower case', text);
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(text as `${string}1${string}`, false);
  } catch (e) {
    throw err('LNURL_INVALID', 'LNURL is damaged (bech32)', (e as Error).message);
  }
  if (decoded.prefix !== HRP) throw err('LNURL_INVALID', 'not an LNURL prefix', decoded.prefix);
  try {
    return utf8.encode(bech32.fromWords(decoded.words));
  } catch {
    throw err('LNURL_INVALID', 'LNURL does not hold a text URL', text);
  }
}

/** LUD-01 fallback: an ordinary web link that carries the LNURL in `lightning=`. */
function decodeFallback(text: string, opts: LnurlOptions): Lnurl {
  let inner: string | null = null;
  try {
    inner = new URL(text).searchParams.get('lightning');
  } catch {
    throw err('LNURL_INVALID', 'link is not a URL', text);
  }
  if (inner === null) throw err('LNURL_INVALID', 'a web link is an LNURL only with a lightning= parameter', text);
  const link = decodeLink(inner.trim(), opts);
  if (!link) throw err('LNURL_INVALID', 'lightning= parameter is not an LNURL', inner);
  return link;
}
