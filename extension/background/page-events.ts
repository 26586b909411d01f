import browser from 'webextension-polyfill';
import { PAGE_CHANNEL } from '../../src/webln/page-channel.ts';

/**
 * WebLN's `accountChanged` event: pushed to every tab's bridge when the
 * connected node changes. Tabs without Satnav's content script just refuse.
 */
export async function broadcastAccountChanged(): Promise<void> {
  const tabs = await browser.tabs.query({});
  await Promise.all(
    tabs.map((tab) =>
      tab.id === undefined ? undefined : browser.tabs.sendMessage(tab.id, { channel: PAGE_CHANNEL, event: 'accountChanged' }).catch(() => undefined),
    ),
  );
}
