import browser, { type Runtime } from 'webextension-polyfill';
import { UI_CHANNEL } from '../../src/messages/ui-api.ts';
import { AUTOLOCK_ALARM, onAutoLockAlarm } from './autolock.ts';
import { createServices } from './services.ts';
import { uiHandlers } from './handlers.ts';
import { routeUiMessage } from './ui-router.ts';

/**
 * MV3 service worker entry. Listeners are registered synchronously at top
 * level (so a wake-up event is delivered) and all await one init promise.
 */
const services = createServices();

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (isChannel(message, UI_CHANNEL)) return routeUiMessage(message.request, sender, services, uiHandlers);
  // Unknown channels get no answer at all: nothing to learn from probing.
  return undefined;
});

browser.alarms.onAlarm.addListener(async (alarm) => {
  if (alarm.name === AUTOLOCK_ALARM) await onAutoLockAlarm((await services).vault);
});

function isChannel<C extends string>(m: unknown, channel: C): m is { channel: C; request: unknown } {
  return typeof m === 'object' && m !== null && (m as { channel?: unknown }).channel === channel;
}
