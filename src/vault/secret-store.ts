import type { KeyValueStore } from '../storage/kv.ts';
import { isRecord } from '../storage/schema.ts';
import type { Vault } from './vault.ts';

/**
 * A KeyValueStore kept inside the vault's encrypted secrets, under one slot:
 * for records that hold bearer proofs (a custodial session's preimage), which
 * may only be stored encrypted. Locked, every call throws VAULT_LOCKED; a
 * `set` of several keys is one re-encryption, so they land together.
 */
export function secretStore(vault: Pick<Vault, 'readSecret' | 'updateSecrets'>, slot: string): KeyValueStore {
  const read = async (): Promise<Record<string, unknown>> => {
    const v = await vault.readSecret(slot);
    return isRecord(v) ? v : {};
  };
  const change = (fn: (current: Record<string, unknown>) => Record<string, unknown>) =>
    vault.updateSecrets((secrets) => ({ ...secrets, [slot]: fn(isRecord(secrets[slot]) ? secrets[slot] : {}) }));
  // JSON round trip, as storage.local would do: callers never share objects with what is stored.
  const copy = <T>(v: unknown): T | undefined => (v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as T));
  return {
    get: async <T>(key: string) => copy<T>((await read())[key]),
    getMany: async (keys) => {
      const all = await read();
      return Object.fromEntries(keys.filter((k) => all[k] !== undefined).map((k) => [k, copy(all[k])]));
    },
    set: (entries) => change((current) => ({ ...current, ...copy<Record<string, unknown>>(entries) })),
    remove: (keys) =>
      change((current) => {
        const next = { ...current };
        for (const k of keys) delete next[k];
        return next;
      }),
  };
}
