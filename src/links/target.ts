/**
 * Which link targets Satnav opens when the person clicks them, decided cheaply
 * in the page's content script: a look at the text, no decoding. The worker
 * parses what is sent again in full (links/parse.ts) and trusts none of this.
 * Kept free of imports because the content bridge bundles it.
 *
 * | target (as written in `href`)                            | sent                 |
 * | -------------------------------------------------------- | -------------------- |
 * | `lightning:…` (an invoice, an LNURL, a lightning address) | as written           |
 * | `lnurlp://` `lnurlw://` `lnurlc://` `keyauth://` (LUD-17) | as written           |
 * | `lnurl1…` (LUD-01 bech32, a relative-looking href)        | as written           |
 * | `http(s)://…?lightning=<lnurl1… or LUD-17>` (LUD-01)      | the absolute URL     |
 */
export const LINK_CHANNEL = 'satnav:link';

/**
 * Longest target sent. An LNURL or invoice a person can click is well under this (a BOLT11
 * invoice is at most 7089 characters); anything longer stays the page's own link.
 */
export const MAX_LINK_LENGTH = 7200;

const SCHEME = /^(lightning:|(lnurl[pwc]|keyauth):\/\/)/i;
const BECH32_LNURL = /^lnurl1[02-9ac-hj-np-z]+$/i;
const FALLBACK_VALUE = /^(lnurl1[02-9ac-hj-np-z]+$|(lnurl[pwc]|keyauth):\/\/)/i;

/**
 * The text to send the worker for a clicked link, or undefined when Satnav leaves the link alone.
 * `href` is the attribute as written; `base` the document's base URL, for the LUD-01 fallback.
 */
export function linkTarget(href: string, base: string): string | undefined {
  const text = href.trim();
  if (text === '' || text.length > MAX_LINK_LENGTH) return undefined;
  if (SCHEME.test(text) || BECH32_LNURL.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const inner = url.searchParams.get('lightning');
  return inner !== null && FALLBACK_VALUE.test(inner.trim()) && url.href.length <= MAX_LINK_LENGTH ? url.href : undefined;
}
