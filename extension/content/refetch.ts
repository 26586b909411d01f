/**
 * After the worker paid a 402 wall that a page element met (an <img>, a video
 * poster, an <iframe>…), the element must ask again: the browser keeps the
 * failed result otherwise. The bridge (isolated world, same DOM) finds the
 * elements that loaded the URL and points them at it again with one extra
 * query parameter, so no cache hands back the 402. The worker's header rule
 * matches the path with any query, so the new request carries the credential;
 * the credential itself never enters the page.
 *
 * A URL that already carries the parameter is a retry Satnav made: if it is
 * refused again the worker does not pay a second time (see the worker's
 * paywall glue), so an element can never loop.
 *
 * Not re-requested (the next load of the page gets them, the rule is there):
 * `srcset` candidates and <picture> sources, CSS backgrounds, images made
 * with `new Image()` and never attached, and media already playing.
 * A <script> runs only once, so a fresh copy replaces it: its attributes
 * (an `onload="…"` included) come along, listeners added with
 * addEventListener on the failed element don't. Fonts of @font-face rules in
 * readable (same-origin or CORS) style sheets load again as new FontFace
 * objects added to `document.fonts`.
 */
export const BUST_PARAM = '_satnav402';

/** Worker → bridge → provider: a wall an element of this document met was paid; the URL is loaded again. Not a WebLN event. */
export const PAYWALL_EVENT = 'paywall:paid';

/** `url` with the cache-busting parameter set to `token`; the fragment is kept. */
export function busted(url: string, token: string): string {
  const u = new URL(url);
  u.searchParams.set(BUST_PARAM, token);
  return u.href;
}

/** Whether Satnav made this request itself as a retry. */
export function isBusted(url: string): boolean {
  try {
    return new URL(url).searchParams.has(BUST_PARAM);
  } catch {
    return false;
  }
}

/** The URL as the page asked for it: without our parameter and without a fragment (requests carry none). */
export function unbusted(url: string): string {
  const u = new URL(url);
  u.hash = '';
  if (!u.searchParams.has(BUST_PARAM)) return u.href;
  u.searchParams.delete(BUST_PARAM);
  return u.href;
}

export function sameResource(a: string, b: string): boolean {
  try {
    return unbusted(a) === unbusted(b);
  } catch {
    return false;
  }
}

/** Element attributes that load a resource the worker can pay for, and how each is asked again. */
const TARGETS: ReadonlyArray<readonly [selector: string, attr: string]> = [
  ['img', 'src'],
  ['input', 'src'],
  ['video', 'poster'],
  ['video', 'src'],
  ['audio', 'src'],
  ['source', 'src'],
  ['track', 'src'],
  ['iframe', 'src'],
  ['frame', 'src'],
  ['embed', 'src'],
  ['link', 'href'],
  ['script', 'src'],
];

/**
 * Asks again for every element of `doc` that loaded `url` (compared without
 * fragment and our parameter). Returns how many were asked again.
 */
export function refetch(doc: Document, url: string, token = String(Date.now())): number {
  let n = 0;
  for (const [selector, attr] of TARGETS) {
    for (const el of doc.querySelectorAll(`${selector}[${attr}]`)) {
      const raw = el.getAttribute(attr);
      if (raw === null) continue;
      let resolved: string;
      try {
        resolved = new URL(raw, doc.baseURI).href;
      } catch {
        continue;
      }
      if (!sameResource(resolved, url)) continue;
      if (selector === 'link' && !/\bstylesheet\b/i.test(el.getAttribute('rel') ?? '')) continue;
      again(el, attr, busted(resolved, token));
      n++;
    }
  }
  return n + refetchFonts(doc, url, token);
}

function again(el: Element, attr: string, next: string): void {
  if (el.localName === 'script') {
    // A script element runs once: a fresh copy runs the paid script (the failed one never ran).
    const copy = el.ownerDocument.createElement('script');
    for (const a of el.attributes) copy.setAttribute(a.name, a.value);
    copy.setAttribute('src', next);
    el.replaceWith(copy);
    return;
  }
  el.setAttribute(attr, next);
  // A <source>/<track> change is only read when its media element loads again.
  const parent = el.parentElement;
  if ((el.localName === 'source' || el.localName === 'track') && parent && 'load' in parent) (parent as HTMLMediaElement).load();
}

/** @font-face rules whose `src` names the URL: loaded again as a new FontFace (a failed face stays failed). */
function refetchFonts(doc: Document, url: string, token: string): number {
  const FontFaceCtor = doc.defaultView?.FontFace;
  if (!FontFaceCtor || !doc.fonts) return 0;
  let n = 0;
  for (const sheet of doc.styleSheets) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // a cross-origin sheet: its rules are not readable
    }
    for (const rule of rules) {
      if (!(rule instanceof doc.defaultView!.CSSFontFaceRule)) continue;
      const style = rule.style;
      const base = sheet.href ?? doc.baseURI;
      const hit = [...style.getPropertyValue('src').matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)]
        .map((m) => {
          try {
            return new URL(m[2]!, base).href;
          } catch {
            return '';
          }
        })
        .find((u) => sameResource(u, url));
      if (!hit) continue;
      const descriptor = (name: string) => style.getPropertyValue(name) || undefined;
      const face = new FontFaceCtor(style.getPropertyValue('font-family').replace(/^["']|["']$/g, ''), `url("${busted(hit, token)}")`, {
        ...(descriptor('font-weight') && { weight: descriptor('font-weight') }),
        ...(descriptor('font-style') && { style: descriptor('font-style') }),
        ...(descriptor('font-stretch') && { stretch: descriptor('font-stretch') }),
        ...(descriptor('unicode-range') && { unicodeRange: descriptor('unicode-range') }),
        ...(descriptor('font-display') && { display: descriptor('font-display') as FontDisplay }),
      });
      doc.fonts.add(face);
      face.load().catch(() => undefined);
      n++;
    }
  }
  return n;
}
