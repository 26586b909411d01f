/**
 * Password → vault keys. The KDF and its parameters are stored beside the ciphertext, so a
 * vault made today can be read tomorrow after the defaults are raised, and raised itself.
 *
 * password ──NFKC, utf8──► PBKDF2-SHA256 or scrypt (32 bytes) ──HKDF-Expand-SHA256 (64 bytes)──►
 *   bytes  0..32  AES-256-GCM key
 *   bytes 32..64  verifier material; the record stores sha256 of it
 *
 * The stretch outputs one 32-byte block and HKDF widens it: asking PBKDF2-SHA256 for 64 bytes
 * would run every iteration twice for us while an attacker needs only one block to test a guess.
 */
import { expand } from '@noble/hashes/hkdf.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64 } from '@scure/base';
import { moduleErrors } from '../errors.ts';
import { isPlainObject, keyMismatch } from './json-shape.ts';
import { pbkdf2Sha256 } from './webcrypto.ts';

const err = moduleErrors('vault');

export type Pbkdf2Choice = { name: 'pbkdf2-sha256'; iterations: number };
export type ScryptChoice = { name: 'scrypt'; N: number; r: number; p: number };
/** KDF parameters without the salt: what a caller chooses. */
export type KdfChoice = Pbkdf2Choice | ScryptChoice;
/** KDF parameters as stored in a vault record; salt is base64. */
export type KdfParams = (Pbkdf2Choice & { salt: string }) | (ScryptChoice & { salt: string });
/** Per-algorithm minimums a new vault must meet; a stored vault below them needs an upgrade. */
export type KdfFloor = { 'pbkdf2-sha256': { iterations: number }; scrypt: { N: number; r: number; p: number } };

/** What new vaults use: native WebCrypto PBKDF2 is fast in the browser worker and in Node. */
export const CURRENT_KDF: KdfChoice = Object.freeze({ name: 'pbkdf2-sha256', iterations: 600_000 });

/** OWASP's 2023 guidance: PBKDF2-HMAC-SHA256 ≥ 600,000 iterations; scrypt N ≥ 2^17, r = 8, p = 1. */
export const MIN_KDF: KdfFloor = Object.freeze({
  'pbkdf2-sha256': Object.freeze({ iterations: 600_000 }),
  scrypt: Object.freeze({ N: 2 ** 17, r: 8, p: 1 }),
});

/**
 * What a stored record may ask for. Anything outside is refused before any work is done, so a
 * planted record cannot make unlock hang or exhaust memory.
 *
 * | kdf           | field      | min | max        |
 * | ------------- | ---------- | --- | ---------- |
 * | pbkdf2-sha256 | iterations | 1   | 10,000,000 |
 * | scrypt        | N          | 2   | 2^20 (power of two) |
 * | scrypt        | r          | 1   | 32         |
 * | scrypt        | p          | 1   | 4          |
 * | scrypt        | 128·N·r    |     | 256 MiB (memory) |
 * | both          | salt bytes | 16  | 64         |
 */
const READ_BOUNDS = {
  'pbkdf2-sha256': { iterations: [1, 10_000_000] },
  scrypt: { N: [2, 2 ** 20], r: [1, 32], p: [1, 4] },
} as const;
const SCRYPT_MAX_MEMORY = 256 * 1024 * 1024;
const SALT_BYTES = { min: 16, max: 64, fresh: 16 } as const;
const KEY_BYTES = 32;
const HKDF_INFO = utf8ToBytes('satnav/vault/v1 key+verifier');

export type VaultKeys = {
  /** AES-256-GCM key. */
  key: Uint8Array;
  /** sha256 of the verifier material: stored in the record, compared on unlock. */
  verifier: Uint8Array;
};

/** Run the KDF. `params` must come from `parseKdfParams` or `newKdfParams`. */
export async function deriveVaultKeys(password: string, params: KdfParams): Promise<VaultKeys> {
  // NFKC: the same password typed on different keyboards / OSes must give the same bytes.
  const pw = utf8ToBytes(password.normalize('NFKC'));
  const salt = base64.decode(params.salt);
  const stretched =
    params.name === 'pbkdf2-sha256'
      ? await pbkdf2Sha256(pw, salt, params.iterations, KEY_BYTES)
      : // maxmem leaves room for noble's per-p scratch on top of the 128·N·r bound checked on read.
        await scryptAsync(pw, salt, { N: params.N, r: params.r, p: params.p, dkLen: KEY_BYTES, maxmem: SCRYPT_MAX_MEMORY + 1024 * 1024 });
  const okm = expand(sha256, stretched, HKDF_INFO, 2 * KEY_BYTES);
  return { key: okm.slice(0, KEY_BYTES), verifier: sha256(okm.slice(KEY_BYTES)) };
}

/** Parameters for a new vault: checks the floor (KDF_TOO_WEAK) and picks a fresh salt. */
export function newKdfParams(choice: KdfChoice, floor: KdfFloor = MIN_KDF): KdfParams {
  const params = parseKdfParams({ ...choice, salt: base64.encode(randomBytes(SALT_BYTES.fresh)) });
  assertKdfStrong(choice, floor);
  return params;
}

/** KDF_TOO_WEAK when `choice` is below the floor for its algorithm. */
export function assertKdfStrong(choice: KdfChoice, floor: KdfFloor = MIN_KDF): void {
  if (needsUpgrade(choice, floor)) throw err('KDF_TOO_WEAK', 'kdf below minimum', choice);
}

/** True when `params` is weaker than the floor for its own algorithm. */
export function needsUpgrade(params: KdfChoice, floor: KdfFloor = MIN_KDF): boolean {
  if (params.name === 'pbkdf2-sha256') return params.iterations < floor['pbkdf2-sha256'].iterations;
  const min = floor.scrypt;
  return params.N < min.N || params.r < min.r || params.p < min.p;
}

/** Validate KDF parameters read from storage (shape and DoS bounds): KDF_PARAMS_INVALID. */
export function parseKdfParams(raw: unknown): KdfParams {
  if (!isPlainObject(raw)) throw invalid('kdf', raw);
  const name = raw['name'];
  if (name !== 'pbkdf2-sha256' && name !== 'scrypt') throw invalid('name', name);
  const bounds: Record<string, readonly [number, number]> = READ_BOUNDS[name];
  const stray = keyMismatch(raw, ['name', 'salt', ...Object.keys(bounds)]);
  if (stray !== undefined) throw invalid('field', stray);
  for (const [field, [min, max]] of Object.entries(bounds)) {
    const v = raw[field];
    if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max) throw invalid(field, v);
  }
  const salt = raw['salt'];
  if (typeof salt !== 'string' || !isSaltOk(salt)) throw invalid('salt', salt);
  if (name === 'pbkdf2-sha256') return { name, iterations: raw['iterations'] as number, salt };
  const [N, r, p] = [raw['N'], raw['r'], raw['p']] as [number, number, number];
  if ((N & (N - 1)) !== 0) throw invalid('N', N);
  if (128 * N * r > SCRYPT_MAX_MEMORY) throw invalid('memory', 128 * N * r);
  return { name, N, r, p, salt };
}

function isSaltOk(salt: string): boolean {
  try {
    const n = base64.decode(salt).length;
    return n >= SALT_BYTES.min && n <= SALT_BYTES.max;
  } catch {
    return false;
  }
}

function invalid(field: string, value: unknown) {
  return err('KDF_PARAMS_INVALID', `kdf ${field}`, value);
}
