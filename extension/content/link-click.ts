import { linkTarget } from '../../src/links/target.ts';

/**
 * A click on a payment link, as the isolated world sees it. Only the person's own click counts:
 * `isTrusted` is set by the browser for real input (a mouse, a tap, Enter on a focused link) and
 * never for `el.click()` or a dispatched event, and in this world the page can't fake the check.
 * A modifier or another button means "open elsewhere": the browser keeps that.
 */
export interface ClickLike {
  isTrusted: boolean;
  button: number;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
  composedPath(): EventTarget[];
}

interface ElementLike {
  localName?: unknown;
  getAttribute?: (name: string) => string | null;
}

/** The target to send for this click, or undefined when Satnav leaves it to the page and the browser. */
export function clickedLinkTarget(event: ClickLike, base: string): string | undefined {
  if (!event.isTrusted || event.defaultPrevented || event.button !== 0) return undefined;
  if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return undefined;
  const href = nearestHref(event.composedPath());
  return href === undefined ? undefined : linkTarget(href, base);
}

/** The link the browser would follow: the innermost `<a href>` / `<area href>` on the path, open shadow roots included. */
function nearestHref(path: EventTarget[]): string | undefined {
  for (const node of path) {
    const el = node as ElementLike;
    if ((el.localName === 'a' || el.localName === 'area') && typeof el.getAttribute === 'function') {
      const href = el.getAttribute('href');
      if (href !== null) return href;
    }
  }
  return undefined;
}
