import browser from 'webextension-polyfill';
import { CachedStore } from '../../src/storage/cached.ts';

const areas: Partial<Record<'local' | 'session', CachedStore>> = {};

/**
 * `storage.local` / `storage.session` behind the core's KeyValueStore, kept in
 * memory (src/storage/cached.ts): one instance per area for the whole worker,
 * so every writer shares its memory and its locks. Writes by other contexts
 * come in through `storage.onChanged`.
 */
export function storageArea(area: 'local' | 'session'): CachedStore {
  const known = areas[area];
  if (known) return known;
  const s = area === 'local' ? browser.storage.local : browser.storage.session;
  const store = new CachedStore(
    {
      async get<T>(key: string) {
        const got = await s.get(key);
        return got[key] as T | undefined;
      },
      getMany: (keys) => s.get(keys),
      set: (entries) => s.set(entries),
      remove: (keys) => s.remove(keys),
    },
    () => s.get(null),
    (e) => console.warn(`satnav storage.${area}: a write did not land`, e),
  );
  browser.storage.onChanged.addListener((changes, areaName) => {
    if (areaName === area) store.changed(changes);
  });
  return (areas[area] = store);
}

type AccessLevel = { setAccessLevel?(o: { accessLevel: 'TRUSTED_CONTEXTS' }): Promise<void> };

/**
 * Only the worker and Satnav's pages may read storage. storage.local holds the
 * encrypted vault, the ledger (preimages), node details and each site's
 * invoices; storage.session holds the unlocked key. Chrome lets content
 * scripts read storage.local by default, and a page that takes over its
 * renderer acts as our content script there: so both areas are closed to
 * them, at every worker start (session already is by default; saying so keeps
 * it so). The polyfill's types lack the method, hence the narrow type; a
 * browser without it keeps its default and the wallet keeps working.
 */
export async function keepStorageFromContentScripts(): Promise<void> {
  for (const area of [browser.storage.local, browser.storage.session]) {
    try {
      await (area as AccessLevel).setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
    } catch (e) {
      console.warn('satnav: storage access level not set', e);
    }
  }
}
