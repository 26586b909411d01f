import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import type { PageContext } from '../../src/base/origin.ts';

/**
 * Who sent a message, decided only from what the browser tells us
 * (`sender`), never from the message body.
 */
const extensionOrigin = new URL(browser.runtime.getURL('')).origin;

export function isExtensionPage(sender: Runtime.MessageSender): boolean {
  if (sender.id !== browser.runtime.id || !sender.url) return false;
  return originOf(sender.url) === extensionOrigin;
}

/**
 * This extension's own service worker, and nothing else: Chrome reports it with an extension
 * URL and no tab, frame or document, where a content script or an extension page always has a
 * frame (measured on Chromium 156). Only the offscreen document asks this, and it cannot read
 * the manifest to compare the worker's script (offscreen documents get a few runtime calls
 * only): this extension has one worker.
 */
export function isOwnWorker(sender: Runtime.MessageSender): boolean {
  const frame = sender as { frameId?: unknown; documentId?: unknown };
  return (
    sender.id === browser.runtime.id &&
    sender.url !== undefined &&
    originOf(sender.url) === extensionOrigin &&
    sender.tab === undefined &&
    frame.frameId === undefined &&
    frame.documentId === undefined
  );
}

/**
 * The web origin of a content-script sender (http/https frames only).
 *
 * Only `sender.origin` counts, never `sender.url`: the URL of a sandboxed frame
 * (`<iframe sandbox src="https://enabled.site/…">`) names a site whose origin
 * the frame does not have; its real origin is opaque ("null") and is refused,
 * like data:, file: and any other non-web origin. An about:blank / srcdoc
 * child reports the origin it inherits from its parent: it is that very origin
 * (its parent can script it), so it acts as that site and nothing more.
 * Without `sender.origin` (Chrome < 80) nothing passes: fail closed.
 */
export function pageOrigin(sender: Runtime.MessageSender): string | undefined {
  if (sender.id !== browser.runtime.id || !sender.tab) return undefined;
  const origin = (sender as { origin?: unknown }).origin;
  if (typeof origin !== 'string' || !/^https?:\/\//.test(origin)) return undefined;
  // A serialized origin is exactly scheme://host[:port]; anything else is not one.
  return originOf(origin) === origin ? origin : undefined;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The whole context of a page request, from the browser: the frame's origin,
 * the tab, and for a subframe the tab's top-level origin (`null` when the
 * browser did not tell it: counted as foreign, so nothing auto-pays).
 */
export function pageContext(sender: Runtime.MessageSender): PageContext | undefined {
  const origin = pageOrigin(sender);
  if (!origin) return undefined;
  const tabId = sender.tab?.id;
  const base = { origin, ...(tabId !== undefined && { tabId }) };
  if (sender.frameId === 0) return base;
  const top = sender.tab?.url ? originOf(sender.tab.url) : undefined;
  return { ...base, topOrigin: top && /^https?:\/\//.test(top) ? top : null };
}
