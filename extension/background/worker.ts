import browser, { type Runtime } from 'webextension-polyfill';
import { UI_CHANNEL } from '../../src/messages/ui-api.ts';
import { AUTOLOCK_ALARM, onAutoLockAlarm } from './autolock.ts';
import { createServices } from './services.ts';
import { RECONCILE_ALARM, reconcilePending } from './reconcile.ts';
import { uiHandlers } from './handlers.ts';
import { routeUiMessage } from './ui-router.ts';
import { routePageMessage } from './page-router.ts';
import { PAGE_CHANNEL } from '../../src/webln/page-channel.ts';

/**
 * MV3 service worker entry. Listeners are registered synchronously at top
 * level (so a wake-up event is delivered) and all await one init promise.
 */
const services = createServices();

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (isChannel(message, UI_CHANNEL)) return routeUiMessage(message.request, sender, services, uiHandlers);
  if (isChannel(message, PAGE_CHANNEL)) return routePageMessage(message.request, sender, services);
  // Unknown channels get no answer at all: nothing to learn from probing.
  return undefined;
});

browser.alarms.onAlarm.addListener(async (alarm) => {
  if (alarm.name === AUTOLOCK_ALARM) await onAutoLockAlarm((await services).vault);
  if (alarm.name === RECONCILE_ALARM) await reconcilePending(await services);
});

// Every worker life starts by settling what a previous life left in flight.
void services.then(reconcilePending);

function isChannel<C extends string>(m: unknown, channel: C): m is { channel: C; request: unknown } {
  return typeof m === 'object' && m !== null && (m as { channel?: unknown }).channel === channel;
}
