import browser from 'webextension-polyfill';
import { PAGE_CHANNEL } from '../../src/webln/page-channel.ts';

/**
 * WebLN's `accountChanged` event: pushed to the top frame of every tab whose
 * site the person enabled. Other sites learn nothing about the wallet's node.
 */
export async function broadcastAccountChanged(enabledOrigins: ReadonlySet<string>): Promise<void> {
  const tabs = await browser.tabs.query({});
  await Promise.all(
    tabs.map((tab) => {
      if (tab.id === undefined || !tab.url || !enabledOrigins.has(originOf(tab.url))) return undefined;
      return browser.tabs.sendMessage(tab.id, { channel: PAGE_CHANNEL, event: 'accountChanged' }, { frameId: 0 }).catch(() => undefined);
    }),
  );
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
