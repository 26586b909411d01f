import { describe, expect, it, vi } from 'vitest';

const b = vi.hoisted(() => ({ calls: [] as Array<[string, unknown]>, failLocal: false }));
vi.mock('webextension-polyfill', () => ({
  default: {
    storage: {
      local: {
        setAccessLevel: async (o: unknown) => {
          if (b.failLocal) throw new Error('not supported');
          b.calls.push(['local', o]);
        },
      },
      session: { setAccessLevel: async (o: unknown) => void b.calls.push(['session', o]) },
    },
  },
}));
const { keepStorageFromContentScripts } = await import('./storage-area.ts');

describe('keepStorageFromContentScripts', () => {
  it('closes storage.local and storage.session to content scripts', async () => {
    b.calls.length = 0;
    await keepStorageFromContentScripts();
    expect(b.calls).toEqual([
      ['local', { accessLevel: 'TRUSTED_CONTEXTS' }],
      ['session', { accessLevel: 'TRUSTED_CONTEXTS' }],
    ]);
  });

  it('a browser that refuses for one area still gets the other, and the worker starts', async () => {
    b.calls.length = 0;
    b.failLocal = true;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await expect(keepStorageFromContentScripts()).resolves.toBeUndefined();
    expect(b.calls).toEqual([['session', { accessLevel: 'TRUSTED_CONTEXTS' }]]);
    expect(warn).toHaveBeenCalledOnce();
  });
});
