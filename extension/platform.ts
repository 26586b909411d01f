import browser from 'webextension-polyfill';

/**
 * Where Chrome and Firefox differ for Satnav, in one place: the same sources run in both (Firefox's
 * build differs only in its manifest, scripts/firefox-manifest.ts). Each difference is read from
 * the browser's own API or from the manifest it loaded, never from a browser's name, so a browser
 * that gains a feature gets it without a change here.
 *
 * Differences that need no code here: Firefox has no `storage.*.setAccessLevel`, and
 * keepStorageFromContentScripts (background/storage-area.ts) skips it; `storage.session` is closed
 * to content scripts there by default, but `storage.local` (the encrypted vault, the ledger) stays
 * readable by them, and Firefox offers no way to close it yet (its bug 1724754). Alike in both:
 * `declarativeNetRequest` session rules with `excludedTabIds`, `sender.origin` (Firefox ≥ 126),
 * `windows.create({ type: 'popup' })`.
 */

/**
 * webRequest details as Chrome reports them, which the 402 code reads (background/paywall/):
 * - `initiator`, the origin of the document that made the request. Firefox reports `originUrl`
 *   instead, that document's URL, and leaves it out for an opaque origin (a sandboxed frame),
 *   where Chrome says "null": either way no web origin, and nobody pays.
 * - one `responseHeaders` entry per header line. Firefox joins repeated lines of a header into one
 *   value, with a newline between them (a 402 offering L402 and LSAT challenges on two
 *   `WWW-Authenticate` lines); a header value can hold no newline of its own.
 */
export function inChromeTerms<D extends WebRequestDetails>(details: D): D & { initiator?: string } {
  const initiator = details.initiator ?? (details.originUrl !== undefined ? originOf(details.originUrl) : undefined);
  const joined = details.responseHeaders?.some((h) => h.value?.includes('\n'));
  // Chrome's own details (every request the worker observes) go through untouched.
  if (initiator === details.initiator && !joined) return details;
  const responseHeaders = details.responseHeaders?.flatMap((h) => (h.value?.includes('\n') ? h.value.split('\n').map((value) => ({ name: h.name, value })) : [h]));
  return {
    ...details,
    ...(initiator !== undefined && { initiator }),
    ...(responseHeaders !== undefined && { responseHeaders }),
  };
}

/** The fields of either browser's webRequest details read here: `initiator` is Chrome's, `originUrl` Firefox's. */
interface WebRequestDetails {
  url: string;
  initiator?: string;
  originUrl?: string;
  responseHeaders?: Array<{ name: string; value?: string }>;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The asking site's icon from the browser's own favicon cache (nothing is fetched from the site),
 * or none: only Chrome has the cache's `/_favicon/` pages, behind the `favicon` permission, which
 * Firefox's manifest leaves out.
 */
export function faviconUrl(origin: string): string | undefined {
  if (!browser.runtime.getManifest().permissions?.includes('favicon')) return undefined;
  return `/_favicon/?pageUrl=${encodeURIComponent(origin)}&size=32`;
}
