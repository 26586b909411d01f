import type { UiRequestOf, UiRequestType, UiResponses, Settings } from '../../src/messages/ui-api.ts';
import type { Services } from './services.ts';
import { scheduleAutoLock } from './autolock.ts';
import { reconcilePending } from './reconcile.ts';

type Handler<K extends UiRequestType> = (req: UiRequestOf<K>, svc: Services) => Promise<UiResponses[K]>;
export type UiHandlers = { [K in UiRequestType]: Handler<K> };

async function settingsOf(svc: Services): Promise<Settings> {
  const [stored, status] = await Promise.all([svc.settings.get(), svc.vault.status()]);
  return { ...stored, autoLockMinutes: status.autoLockMinutes };
}

export const vaultHandlers = {
  'vault.status': async (_req, svc) => svc.vault.status(),
  'vault.create': async (req, svc) => {
    await svc.vault.create(req.mnemonic, req.password, { replace: req.replace === true });
    await scheduleAutoLock(svc.vault);
    return svc.vault.status();
  },
  'vault.unlock': async (req, svc) => {
    await svc.vault.unlock(req.password);
    await scheduleAutoLock(svc.vault);
    // Payments left pending while locked can be checked now that the node credentials are readable.
    void reconcilePending(svc);
    return svc.vault.status();
  },
  'vault.lock': async (_req, svc) => {
    await svc.vault.lock();
    await scheduleAutoLock(svc.vault);
    return svc.vault.status();
  },
  'vault.reveal': async (req, svc) => ({ mnemonic: await svc.vault.revealMnemonic(req.password) }),
  'settings.get': async (_req, svc) => settingsOf(svc),
  'settings.update': async (req, svc) => {
    const { autoLockMinutes, ...rest } = req.patch;
    if (autoLockMinutes !== undefined) {
      await svc.vault.setAutoLockMinutes(autoLockMinutes);
      await scheduleAutoLock(svc.vault);
    }
    if (Object.keys(rest).length > 0) await svc.settings.update(rest);
    return settingsOf(svc);
  },
} satisfies Partial<UiHandlers>;
