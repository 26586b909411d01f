import type { KeyValueStore } from '../../src/storage/kv.ts';
import { SettingsStore } from '../../src/settings/settings.ts';
import { Vault } from '../../src/vault/vault.ts';
import { storageArea } from './storage-area.ts';

/** Everything the handlers use, built once per worker life. */
export interface Services {
  local: KeyValueStore;
  vault: Vault;
  settings: SettingsStore;
  /** True when this worker life began with the browser (storage.session empty), false on a wake-up. */
  coldStart: boolean;
}

const SESSION_MARK = 'worker:alive';

export async function createServices(): Promise<Services> {
  const local = storageArea('local');
  const session = storageArea('session');
  const coldStart = (await session.get(SESSION_MARK)) === undefined;
  if (coldStart) await session.set({ [SESSION_MARK]: Date.now() });
  return {
    local,
    vault: new Vault({ local, session }),
    settings: new SettingsStore(local),
    coldStart,
  };
}
