/**
 * After the worker paid a 402 wall that a page element met (an <img>, a video
 * poster, an <iframe>…), the element must ask again: the browser keeps the
 * failed result otherwise. The worker runs `refetch` in that document, in the
 * page's own world (scripting.executeScript, world MAIN), only when a wall was
 * paid: no page carries this code otherwise. The page's world, because a load
 * started from an isolated world is left out of the page's Resource Timing
 * (pages read it, the demo paywall does); Chromium 156 checked.
 *
 * It finds the elements that loaded the URL and points them at it again with
 * one extra query parameter, so no cache hands back the 402. The worker's
 * header rule matches the path with any query, so the new request carries the
 * credential; the credential itself never enters the page.
 *
 * A URL that already carries the parameter is a retry Satnav made: if it is
 * refused again the worker does not pay a second time (`isBusted`, the
 * worker's paywall glue), so an element can never loop.
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

/** Whether Satnav made this request itself as a retry. */
export function isBusted(url: string): boolean {
  try {
    return new URL(url).searchParams.has(BUST_PARAM);
  } catch {
    return false;
  }
}

/**
 * Asks again for every element of the document that loaded `url` (compared
 * without fragment and without `param`), with `param`=`token` added. Returns
 * how many were asked again.
 *
 * Serialized and run in the page by the worker: it must stay self-contained
 * (no imports, no module-level names; refetch.test.ts runs it from its text).
 */
export function refetch(url: string, param: string, token: string): number {
  /** The URL as the page asked for it: without our parameter and without a fragment (requests carry none). */
  const plain = (u: URL) => {
    u.hash = '';
    // Only when present: deleting re-serializes the whole query.
    if (u.searchParams.has(param)) u.searchParams.delete(param);
    return u.href;
  };
  const wanted = plain(new URL(url));
  /** `raw` resolved against `base` if it names the paid resource, with the parameter set to `token` (fragment kept). */
  const bust = (raw: string, base: string) => {
    try {
      if (plain(new URL(raw, base)) !== wanted) return undefined;
      const u = new URL(raw, base);
      u.searchParams.set(param, token);
      return u.href;
    } catch {
      return undefined;
    }
  };
  // Element attributes that load a resource the worker can pay for.
  const targets = 'img src,input src,video poster,video src,audio src,source src,track src,iframe src,frame src,embed src,link href,script src';
  let n = 0;
  for (const [selector, attr] of targets.split(',').map((t) => t.split(' ') as [string, string])) {
    for (const el of document.querySelectorAll(`${selector}[${attr}]`)) {
      const next = bust(el.getAttribute(attr)!, document.baseURI);
      if (!next || (selector === 'link' && !/\bstylesheet\b/i.test(el.getAttribute('rel') ?? ''))) continue;
      n++;
      if (selector === 'script') {
        // A script element runs once: a fresh copy runs the paid script (the failed one never ran).
        const copy = document.createElement('script');
        for (const a of el.attributes) copy.setAttribute(a.name, a.value);
        copy.setAttribute('src', next);
        el.replaceWith(copy);
        continue;
      }
      el.setAttribute(attr, next);
      // A <source>/<track> change is only read when its media element loads again.
      const parent = el.parentElement;
      if ((selector === 'source' || selector === 'track') && parent && 'load' in parent) (parent as HTMLMediaElement).load();
    }
  }
  // @font-face rules whose `src` names the URL: loaded again as a new FontFace (a failed face stays failed).
  for (const sheet of document.styleSheets) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // a cross-origin sheet: its rules are not readable
    }
    for (const rule of rules) {
      if (!(rule instanceof CSSFontFaceRule)) continue;
      const style = rule.style;
      const get = (name: string) => style.getPropertyValue(name) || undefined;
      const hit = [...(get('src') ?? '').matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)].map((m) => bust(m[2]!, sheet.href ?? document.baseURI)).find(Boolean);
      if (!hit) continue;
      const descriptors: FontFaceDescriptors = {};
      for (const [key, name] of [['weight', 'font-weight'], ['style', 'font-style'], ['stretch', 'font-stretch'], ['unicodeRange', 'unicode-range'], ['display', 'font-display']] as const) {
        const value = get(name);
        if (value) (descriptors as Record<string, string>)[key] = value;
      }
      const face = new FontFace(style.getPropertyValue('font-family').replace(/^["']|["']$/g, ''), `url("${hit}")`, descriptors);
      document.fonts.add(face);
      face.load().catch(() => undefined);
      n++;
    }
  }
  return n;
}
