/** The wallet's BIP32 root: every key Satnav derives starts here. */
import { HDKey } from '@scure/bip32';
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('keys');

/** BIP32 allows 128..512-bit seeds; a BIP39 seed is 512 bits. */
const SEED_BYTES = { min: 16, max: 64 } as const;

export function rootFromSeed(seed: Uint8Array): HDKey {
  if (!(seed instanceof Uint8Array) || seed.length < SEED_BYTES.min || seed.length > SEED_BYTES.max) {
    throw err('SEED_INVALID', 'seed must be 16..64 bytes, got', seed instanceof Uint8Array ? seed.length : typeof seed);
  }
  return HDKey.fromMasterSeed(seed);
}

/** KEY_NOT_ROOT unless `key` is a master private key: paths below are absolute. */
export function assertRoot(key: HDKey): void {
  if (key.depth !== 0 || key.privateKey === null) throw err('KEY_NOT_ROOT', 'expected master private key, depth', key.depth);
}
