import browser, { type Runtime } from 'webextension-polyfill';
import { UI_CHANNEL } from '../../src/messages/ui-channel.ts';
import { AUTOLOCK_ALARM, onAutoLockAlarm } from './autolock.ts';
import { createServices } from './services.ts';
import { RECONCILE_ALARM, reconcilePending } from './reconcile.ts';
import { uiHandlers } from './handlers.ts';
import { routeUiMessage } from './ui-router.ts';
import { routePageMessage } from './page-router.ts';
import { PAGE_CHANNEL } from '../../src/webln/page-channel.ts';
import { WallGlue } from './paywall/index.ts';
import { WEB_URLS } from './paywall/send-watch.ts';
import { setRevokedRulesHook } from './paywall-handlers.ts';
import type { HeadersReceivedDetails } from './paywall/observations.ts';
import { ACTIVE_STATES } from '../../src/deposit/book.ts';
import { DEPOSIT_ALARM, depositAlarm } from './deposits.ts';
import { inChromeTerms } from '../platform.ts';
import { LINK_CHANNEL } from '../../src/links/target.ts';
import { LinkRouter, showLinkNotice } from './links.ts';

/**
 * MV3 service worker entry. Listeners are registered synchronously at top
 * level (so a wake-up event is delivered) and all await one init promise.
 */
const services = createServices();
/** 402 walls: what the browser saw, the header rules, reloading what met a wall (paywall/). */
const walls = new WallGlue(services);
// Credentials the person revokes in Paid access stop travelling at once.
setRevokedRulesHook((ids) => walls.dropRules(ids));
/** Payment links the person clicked on a page (links.ts). */
const links = new LinkRouter({ open: async (ctx, href, hooks) => (await services).webln.openLink(ctx, href, hooks), notify: showLinkNotice });

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (isChannel(message, UI_CHANNEL)) return routeUiMessage(message.request, sender, services, uiHandlers);
  if (isChannel(message, PAGE_CHANNEL)) return routePageMessage(message.request, sender, services);
  // Nothing goes back to the page: the flow runs on, its outcome told in the prompt or a notification.
  if (isChannel(message, LINK_CHANNEL)) return void links.route(message.request, sender);
  // Unknown channels get no answer at all: nothing to learn from probing.
  return undefined;
});

browser.alarms.onAlarm.addListener(async (alarm) => {
  if (alarm.name === AUTOLOCK_ALARM) await onAutoLockAlarm((await services).vault);
  if (alarm.name === RECONCILE_ALARM) {
    await reconcilePending(await services);
    // A 402 purchase left in flight may have settled: it becomes a credential and its rule.
    await walls.refresh();
  }
  if (alarm.name === DEPOSIT_ALARM) await tickDeposits();
});

// Deposit walls: a site's last tab closed or navigated away releases its deposit (after a short grace).
// Custodial sessions likewise are closed (what is left refunded).
const tabsChanged = () =>
  void services.then((svc) => {
    svc.deposits.tabsChanged();
    svc.sessions.tabsChanged();
  });
browser.tabs.onRemoved.addListener(tabsChanged);
browser.tabs.onUpdated.addListener((_id, change) => {
  if (change.url !== undefined) tabsChanged();
});

// Observing only (never blocking): every answer (402s with their challenge headers), in Chrome's terms
// (../platform.ts). No `extraHeaders`: it would send every page request's headers through the browser process, and
// the walls' headers are seen without it (e2e/paywall.spec.ts, CORS-hidden ones included). When requests left is heard
// only for the header rules' origins (paywall/send-watch.ts).
browser.webRequest.onHeadersReceived.addListener(
  (d) => void walls.headersReceived(inChromeTerms(d as unknown as HeadersReceivedDetails)),
  { urls: WEB_URLS },
  ['responseHeaders'],
);
// An unlock makes the stored credentials readable again: their rules come back.
browser.storage.onChanged.addListener((changes, area) => walls.storageChanged(changes, area));

// Every worker life starts by settling what a previous life left in flight, then 402 purchases and their rules.
void services.then(async (svc) => {
  await reconcilePending(svc);
  await walls.start();
  await tickDeposits();
});

/** Held deposits: heartbeat, the node's word, release of unvisited sites; the alarm runs while any is active. */
async function tickDeposits(): Promise<void> {
  const svc = await services;
  await svc.deposits.tick().catch((e: unknown) => console.warn('satnav deposits:', e));
  await svc.sessions.tick().catch((e: unknown) => console.warn('satnav sessions:', e));
  await depositAlarm((await svc.deposits.list()).some((r) => ACTIVE_STATES.has(r.state)));
}

function isChannel<C extends string>(m: unknown, channel: C): m is { channel: C; request: unknown } {
  return typeof m === 'object' && m !== null && (m as { channel?: unknown }).channel === channel;
}
