import browser from 'webextension-polyfill';
import type { Services } from './services.ts';

/**
 * Pending payments are settled against the node at every worker start and then
 * once a minute while any remain: a worker killed mid-payment loses nothing.
 */
export const RECONCILE_ALARM = 'satnav:reconcile';

export async function reconcilePending(svc: Services): Promise<void> {
  try {
    await svc.payments.reconcile();
  } catch (e) {
    // Node down or wallet locked: try again on the next alarm.
    console.warn('satnav reconcile deferred:', e);
  }
  const pending = await svc.ledger.pending();
  if (pending.length > 0) await browser.alarms.create(RECONCILE_ALARM, { delayInMinutes: 1 });
  else await browser.alarms.clear(RECONCILE_ALARM);
}
