import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';

/**
 * Who sent a message, decided only from what the browser tells us
 * (`sender`), never from the message body.
 */
const extensionOrigin = new URL(browser.runtime.getURL('')).origin;

export function isExtensionPage(sender: Runtime.MessageSender): boolean {
  if (sender.id !== browser.runtime.id || !sender.url) return false;
  return originOf(sender.url) === extensionOrigin;
}

/** The web origin of a content-script sender (http/https pages only). */
export function pageOrigin(sender: Runtime.MessageSender): string | undefined {
  if (sender.id !== browser.runtime.id || !sender.tab) return undefined;
  // `sender.origin` is the frame's real origin (also right for about:blank / srcdoc frames).
  const origin = (sender as { origin?: string }).origin ?? (sender.url ? originOf(sender.url) : undefined);
  if (!origin || !/^https?:\/\//.test(origin)) return undefined;
  return origin;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
