/**
 * LNURL-auth from another site's page: a page can hand over a login link another site made for
 * an account of the page owner's (login CSRF: the person ends up signed in to the attacker's
 * account, and what they then save there is the attacker's). A login for the asking page's own
 * site, a subdomain of it included, is the ordinary case; anything else needs the person's
 * explicit "yes, I meant to log in there".
 */
import { registrableDomain } from '../../src/base/site.ts';

/** Whether `domain` (the login's LUD-05 domain) belongs to the site of the asking `origin` (eTLD+1). */
export function isLoginForAskingSite(origin: string, domain: string): boolean {
  try {
    return registrableDomain(origin) === registrableDomain(domain);
  } catch {
    return false;
  }
}
