import { z } from '../base/zod.ts';
import type { KeyValueStore } from '../storage/kv.ts';

/**
 * Person-facing preferences that are not secrets. Stored under one key with a
 * schema version; unreadable data falls back to defaults instead of breaking
 * the popup.
 */
const KEY = 'settings';
const SCHEMA_VERSION = 1;

const stored = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  language: z.enum(['auto', 'en', 'fr', 'de', 'zh_TW']),
});
export type StoredSettings = Omit<z.infer<typeof stored>, 'schemaVersion'>;

export const DEFAULT_SETTINGS: StoredSettings = { language: 'auto' };

export class SettingsStore {
  constructor(private readonly store: KeyValueStore) {}

  async get(): Promise<StoredSettings> {
    const parsed = stored.safeParse(await this.store.get(KEY));
    if (!parsed.success) return { ...DEFAULT_SETTINGS };
    const { schemaVersion: _v, ...rest } = parsed.data;
    return rest;
  }

  async update(patch: Partial<StoredSettings>): Promise<StoredSettings> {
    const next = { ...(await this.get()), ...patch };
    await this.store.set({ [KEY]: { schemaVersion: SCHEMA_VERSION, ...next } });
    return next;
  }
}
