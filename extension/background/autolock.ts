import browser from 'webextension-polyfill';
import type { Vault } from '../../src/vault/vault.ts';

/**
 * Auto-lock: one alarm at (last activity + idle time). Alarms survive worker
 * shutdown, so an idle wallet locks even if nothing wakes the worker before.
 */
export const AUTOLOCK_ALARM = 'satnav:autolock';

export async function scheduleAutoLock(vault: Vault): Promise<void> {
  const { unlocked, autoLockMinutes } = await vault.status();
  if (!unlocked) {
    await browser.alarms.clear(AUTOLOCK_ALARM);
    return;
  }
  await browser.alarms.create(AUTOLOCK_ALARM, { when: Date.now() + autoLockMinutes * 60_000 });
}

/** Runs when the alarm fires: lock if idle long enough, else re-arm for the remainder. */
export async function onAutoLockAlarm(vault: Vault): Promise<void> {
  const locked = await vault.lockIfIdle();
  if (!locked) await scheduleAutoLock(vault);
}
