import browser from 'webextension-polyfill';
import type { KeyValueStore } from '../../src/storage/kv.ts';

/** `storage.local` / `storage.session` behind the core's KeyValueStore. */
export function storageArea(area: 'local' | 'session'): KeyValueStore {
  const s = area === 'local' ? browser.storage.local : browser.storage.session;
  return {
    async get<T>(key: string) {
      const got = await s.get(key);
      return got[key] as T | undefined;
    },
    getMany: (keys) => s.get(keys),
    set: (entries) => s.set(entries),
    remove: (keys) => s.remove(keys),
  };
}
