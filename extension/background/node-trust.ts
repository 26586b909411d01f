import browser from 'webextension-polyfill';
import { probeAccepted, probeTrusting, untilAccepted, type NodeFetches } from '../../src/node/browser-trust.ts';
import type { NodeProfile, StoredConnection } from '../../src/node/connection.ts';
import type { NodeNetwork } from '../../src/node/types.ts';

/** Under the five minutes Chrome gives one event (here the popup's message) before it stops the worker. */
export const TRUST_WAIT_MS = 3 * 60_000;
const HOME_PAGE = 'extension/popup/index.html';

/**
 * The person's part in trusting a self-signed node: Satnav opens the node's address in a tab,
 * where the browser shows its warning and the certificate; the person compares the fingerprint
 * and proceeds; Satnav notices (it asks the address every second, through the offscreen
 * document: src/node/browser-trust.ts) and connects. Closing the tab, or TRUST_WAIT_MS, ends the
 * wait. The popup has usually closed when the tab opened: the tab then shows Satnav, connected.
 */
export async function trustInBrowser(
  conn: StoredConnection,
  fetches: NodeFetches,
  expectedNetwork?: NodeNetwork,
): Promise<{ conn: StoredConnection; profile: NodeProfile }> {
  let tabId: number | undefined;
  let shown: string | undefined;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TRUST_WAIT_MS);
  const onRemoved = (id: number) => {
    if (id === tabId) ctl.abort();
  };
  browser.tabs.onRemoved.addListener(onRemoved);
  try {
    const open = async (url: string) => {
      const tab = tabId === undefined ? await browser.tabs.create({ url }) : await browser.tabs.update(tabId, { url });
      tabId = tab.id;
      shown = url;
    };
    const accepted = fetches.acceptedInBrowser;
    // Without offscreen documents (Firefox) the worker's own fetch is the one a tab's acceptance can reach.
    await untilAccepted(conn, accepted ?? fetches.own, { open, signal: ctl.signal });
    const connected = accepted ? await probeAccepted(conn, accepted, expectedNetwork) : await probeTrusting(conn, fetches, expectedNetwork);
    if (tabId !== undefined && shown) await showHome(tabId, shown);
    return connected;
  } finally {
    clearTimeout(timer);
    browser.tabs.onRemoved.removeListener(onRemoved);
  }
}

/** The tab Satnav opened, unless the person went elsewhere in it, now shows the wallet. */
async function showHome(tabId: number, shown: string): Promise<void> {
  try {
    const tab = await browser.tabs.get(tabId);
    if (tab.url && new URL(tab.url).origin === new URL(shown).origin) await browser.tabs.update(tabId, { url: browser.runtime.getURL(HOME_PAGE) });
  } catch {
    // Closed meanwhile: nothing to show.
  }
}
