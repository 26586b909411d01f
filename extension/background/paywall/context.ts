import { isOrigin, type PageContext } from '../../../src/base/origin.ts';
import type { Seen402 } from './observations.ts';

/**
 * Whose budget pays for a 402 the worker met on its own (a navigation, an
 * iframe, an element), from what the browser reported, never from the page:
 *
 * | request     | pays                               | top-level origin                          |
 * | ----------- | ---------------------------------- | ----------------------------------------- |
 * | main_frame  | the site navigated to              | — (it is the top)                         |
 * | in frame 0  | the top document (`initiator`)     | — (it is the top)                         |
 * | in a frame  | that frame's document (`initiator`)| the tab's origin; unknown → null (foreign) |
 *
 * For a sub_frame load the requesting document is the parent frame. Without a
 * web initiator (opaque, extension, missing) nobody pays: undefined.
 */
export function budgetContext(seen: Seen402, tabUrl: string | undefined): PageContext | undefined {
  if (seen.tabId < 0) return undefined;
  if (seen.type === 'main_frame') {
    const origin = webOrigin(seen.url);
    return origin ? { origin, tabId: seen.tabId } : undefined;
  }
  const origin = seen.initiator !== undefined && isWebOrigin(seen.initiator) ? seen.initiator : undefined;
  if (!origin) return undefined;
  const requestingFrame = seen.type === 'sub_frame' ? seen.parentFrameId : seen.frameId;
  if (requestingFrame === 0) return { origin, tabId: seen.tabId };
  return { origin, tabId: seen.tabId, topOrigin: (tabUrl && webOrigin(tabUrl)) || null };
}

function isWebOrigin(o: string): boolean {
  return /^https?:\/\//.test(o) && isOrigin(o);
}

function webOrigin(url: string): string | undefined {
  try {
    const o = new URL(url).origin;
    return isWebOrigin(o) ? o : undefined;
  } catch {
    return undefined;
  }
}
