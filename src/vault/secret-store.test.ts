import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/kv.ts';
import { codeOf } from '../testing/expect-code.ts';
import { generateMnemonic } from './mnemonic.ts';
import { secretStore } from './secret-store.ts';
import { Vault } from './vault.ts';

describe('secretStore', () => {
  it('keeps its keys encrypted in the vault, beside the other secrets, and only while unlocked', async () => {
    const local = new MemoryStore();
    const vault = new Vault({ local, session: new MemoryStore() });
    await vault.create(generateMnemonic(12), 'a long password 1');
    await vault.updateSecrets((s) => ({ ...s, node: { restUrl: 'https://node' } }));
    const store = secretStore(vault, 'sessions');
    await store.set({ a: { preimage: 'ab'.repeat(32) }, b: 2 });
    expect(await store.get('a')).toEqual({ preimage: 'ab'.repeat(32) });
    expect(await store.getMany(['a', 'b', 'c'])).toEqual({ a: { preimage: 'ab'.repeat(32) }, b: 2 });
    await store.remove(['b']);
    expect(await store.getMany(['b'])).toEqual({});
    expect(await vault.readSecrets()).toMatchObject({ node: { restUrl: 'https://node' } });
    // Nothing readable at rest.
    expect(JSON.stringify(await local.get('vault.record'))).not.toContain('ab'.repeat(32));
    await vault.lock();
    expect(await codeOf(store.get('a'))).toBe('VAULT_LOCKED');
    expect(await codeOf(store.set({ c: 1 }))).toBe('VAULT_LOCKED');
  });

  it('what a caller holds is a copy', async () => {
    const vault = new Vault({ local: new MemoryStore(), session: new MemoryStore() });
    await vault.create(generateMnemonic(12), 'a long password 1');
    const store = secretStore(vault, 's');
    const value = { n: 1 };
    await store.set({ k: value });
    value.n = 2;
    const got = await store.get<{ n: number }>('k');
    got!.n = 3;
    expect(await store.get('k')).toEqual({ n: 1 });
  });
});
