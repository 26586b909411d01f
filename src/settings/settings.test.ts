import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import { DEFAULT_SETTINGS, SettingsStore } from './settings.ts';

describe('settings', () => {
  it('starts from defaults', async () => {
    expect(await new SettingsStore(new MemoryStore()).get()).toEqual(DEFAULT_SETTINGS);
  });
  it('persists an update across instances', async () => {
    const kv = new MemoryStore();
    await new SettingsStore(kv).update({ language: 'fr' });
    expect((await new SettingsStore(kv).get()).language).toBe('fr');
  });
  it('falls back to defaults on corrupt or future data', async () => {
    const kv = new MemoryStore();
    await kv.set({ settings: { schemaVersion: 99, language: 'xx' } });
    expect(await new SettingsStore(kv).get()).toEqual(DEFAULT_SETTINGS);
    await kv.set({ settings: 'garbage' });
    expect(await new SettingsStore(kv).get()).toEqual(DEFAULT_SETTINGS);
  });
});
