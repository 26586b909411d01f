/**
 * LUD-16 lightning addresses: `<user>@<domain>` names the payRequest at
 * `https://<domain>/.well-known/lnurlp/<user>` (http for an onion domain).
 *
 * | part   | allowed                                                            |
 * | ------ | ------------------------------------------------------------------ |
 * | user   | a-z 0-9 - _ . + (the LUD's set, plus + which services use for tags) |
 * | domain | a host name as a URL writes it, optionally with :port              |
 *
 * Capitals are read as lower case: the LUD allows no capitals, so a typed "Alice@Site.com"
 * can only mean alice@site.com.
 */
import { moduleErrors } from '../errors.ts';
import { schemeFor, type LnurlOptions } from './service-url.ts';

const err = moduleErrors('lnurl');

export interface LightningAddress {
  user: string;
  /** Host, with `:port` when the address has one. */
  domain: string;
}

const USER = /^[a-z0-9\-_.+]+$/;

/** Splits and checks an address; LNURL_INVALID with the reason when it is not one. */
export function parseLightningAddress(text: string): LightningAddress {
  const address = text.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 0) throw err('LNURL_INVALID', 'lightning address needs an @', text);
  const user = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!USER.test(user)) throw err('LNURL_INVALID', 'lightning address name may use only a-z 0-9 - _ . +', text);
  if (!isHost(domain)) throw err('LNURL_INVALID', 'lightning address domain is not a domain name', text);
  return { user, domain };
}

export function isLightningAddress(text: string): boolean {
  try {
    parseLightningAddress(text);
    return true;
  } catch {
    return false;
  }
}

/** The URL a wallet GETs for `address` (LUD-16). */
export function lightningAddressUrl(address: LightningAddress, opts: LnurlOptions = {}): string {
  const hostname = new URL(`https://${address.domain}`).hostname;
  return `${schemeFor(hostname, opts)}//${address.domain}/.well-known/lnurlp/${address.user}`;
}

/** True when `domain` is exactly what a URL would write as its host ("site.com", "127.0.0.1:8080"). */
function isHost(domain: string): boolean {
  try {
    const url = new URL(`https://${domain}/`);
    return domain !== '' && url.host === domain && url.pathname === '/' && url.username === '';
  } catch {
    return false;
  }
}
