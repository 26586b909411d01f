/**
 * The encrypted vault record: a versioned JSON object, safe to keep in `storage.local`.
 *
 * | field       | type                                    | meaning                                     |
 * | ----------- | --------------------------------------- | ------------------------------------------- |
 * | version     | 1                                       | format version                              |
 * | kdf         | KdfParams                               | how the password was stretched (kdf.ts)     |
 * | verifier    | base64, 32 bytes                        | sha256 of the KDF's verifier half           |
 * | cipher      | { name: 'aes-256-gcm', iv: base64(12) } | cipher and its per-encryption nonce         |
 * | ciphertext  | base64, ≥ 16 bytes                      | AES-GCM(JSON payload) with its 16-byte tag  |
 *
 * The verifier tells a wrong password (WRONG_PASSWORD) from changed data (VAULT_TAMPERED)
 * without trying to decrypt. The header (version, kdf, verifier) is AES-GCM additional data,
 * so a header swapped under a ciphertext fails decryption. A changed kdf or verifier alone makes
 * the password check fail first and so reads as WRONG_PASSWORD: without a second secret the two
 * cannot be told apart.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { base64 } from '@scure/base';
import { moduleErrors } from '../errors.ts';
import { CURRENT_KDF, MIN_KDF, deriveVaultKeys, newKdfParams, parseKdfParams } from './kdf.ts';
import type { KdfChoice, KdfFloor, KdfParams } from './kdf.ts';
import { isPlainObject, keyMismatch } from './json-shape.ts';
import { aesGcmDecrypt, aesGcmEncrypt } from './webcrypto.ts';

const err = moduleErrors('vault');

export const VAULT_VERSION = 1;
export const MIN_PASSWORD_LENGTH = 8;

export type VaultRecord = {
  version: typeof VAULT_VERSION;
  kdf: KdfParams;
  verifier: string;
  cipher: { name: 'aes-256-gcm'; iv: string };
  ciphertext: string;
};
/** A freshly sealed record and the AES key that opens it (for keeping the session unlocked). */
export type SealedVault = { record: VaultRecord; key: Uint8Array };
export type OpenedVault = { payload: unknown; key: Uint8Array };

type Header = Pick<VaultRecord, 'version' | 'kdf' | 'verifier'>;

const RECORD_FIELDS = ['version', 'kdf', 'verifier', 'cipher', 'ciphertext'] as const;
const CIPHER_FIELDS = ['name', 'iv'] as const;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERIFIER_BYTES = 32;
/** KDF fields bound as additional data, in this order, after the name. */
const KDF_AAD_FIELDS = { 'pbkdf2-sha256': ['iterations', 'salt'], scrypt: ['N', 'r', 'p', 'salt'] } as const;

/** Password policy for new vaults. Counts characters (code points), not bytes. */
export function assertPassword(password: string): void {
  if (typeof password !== 'string' || [...password.normalize('NFKC')].length < MIN_PASSWORD_LENGTH) {
    throw err('PASSWORD_TOO_SHORT', 'password shorter than', MIN_PASSWORD_LENGTH, { min: MIN_PASSWORD_LENGTH });
  }
}

/**
 * Seal a JSON payload under a password. `floor` is lowered only by tests, to keep KDFs fast;
 * production code leaves it at MIN_KDF (KDF_TOO_WEAK below it).
 */
export async function encryptVault(
  payload: unknown,
  password: string,
  kdf: KdfChoice = CURRENT_KDF,
  floor: KdfFloor = MIN_KDF,
): Promise<SealedVault> {
  const params = newKdfParams(kdf, floor);
  const { key, verifier } = await deriveVaultKeys(password, params);
  const header: Header = { version: VAULT_VERSION, kdf: params, verifier: base64.encode(verifier) };
  return { record: await seal(header, key, payload), key };
}

/** Open a record with the password: WRONG_PASSWORD, VAULT_TAMPERED, VAULT_CORRUPT, KDF_PARAMS_INVALID. */
export async function unlockVault(record: unknown, password: string): Promise<OpenedVault> {
  const r = parseVaultRecord(record);
  const { key, verifier } = await deriveVaultKeys(password, r.kdf);
  if (!equalBytes(verifier, base64.decode(r.verifier))) throw err('WRONG_PASSWORD', 'wrong password');
  return { payload: await open(r, key), key };
}

/** Open a record with the key kept while unlocked. */
export async function decryptWithKey(record: unknown, key: Uint8Array): Promise<unknown> {
  return open(parseVaultRecord(record), key);
}

/** New record with the same header and key, a fresh IV and a new payload. */
export async function reencryptWithKey(record: unknown, key: Uint8Array, payload: unknown): Promise<VaultRecord> {
  const r = parseVaultRecord(record);
  // A key that does not open the current record would seal data no password can ever open.
  await open(r, key);
  return seal({ version: r.version, kdf: r.kdf, verifier: r.verifier }, key, payload);
}

/** Re-seal under stronger KDF parameters (new salt, so a new key). */
export async function upgradeKdf(
  record: unknown,
  password: string,
  target: KdfChoice = CURRENT_KDF,
  floor: KdfFloor = MIN_KDF,
): Promise<SealedVault> {
  const { payload } = await unlockVault(record, password);
  return encryptVault(payload, password, target, floor);
}

/** Validate a record read from storage: VAULT_CORRUPT, or KDF_PARAMS_INVALID for its kdf. */
export function parseVaultRecord(raw: unknown): VaultRecord {
  if (!isPlainObject(raw)) throw corrupt('record', typeof raw);
  const stray = keyMismatch(raw, RECORD_FIELDS);
  if (stray !== undefined) throw corrupt('field', stray);
  if (raw['version'] !== VAULT_VERSION) throw corrupt('version', raw['version']);
  const kdf = parseKdfParams(raw['kdf']);
  const verifier = base64Field(raw['verifier'], 'verifier', (n) => n === VERIFIER_BYTES);
  const cipher = raw['cipher'];
  if (!isPlainObject(cipher) || keyMismatch(cipher, CIPHER_FIELDS) !== undefined) throw corrupt('cipher', cipher);
  if (cipher['name'] !== 'aes-256-gcm') throw corrupt('cipher.name', cipher['name']);
  const iv = base64Field(cipher['iv'], 'cipher.iv', (n) => n === IV_BYTES);
  const ciphertext = base64Field(raw['ciphertext'], 'ciphertext', (n) => n >= TAG_BYTES);
  return { version: VAULT_VERSION, kdf, verifier, cipher: { name: 'aes-256-gcm', iv }, ciphertext };
}

async function seal(header: Header, key: Uint8Array, payload: unknown): Promise<VaultRecord> {
  const json = toJson(payload);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await aesGcmEncrypt({ key, iv, aad: headerAad(header) }, utf8ToBytes(json));
  return { ...header, cipher: { name: 'aes-256-gcm', iv: base64.encode(iv) }, ciphertext: base64.encode(ciphertext) };
}

async function open(r: VaultRecord, key: Uint8Array): Promise<unknown> {
  let plaintext: Uint8Array;
  try {
    plaintext = await aesGcmDecrypt({ key, iv: base64.decode(r.cipher.iv), aad: headerAad(r) }, base64.decode(r.ciphertext));
  } catch {
    throw err('VAULT_TAMPERED', 'authentication failed');
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw corrupt('payload', 'not JSON');
  }
}

function toJson(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch {
    // BigInt or a cycle
  }
  if (json === undefined) throw err('PAYLOAD_NOT_JSON', 'payload is not JSON', typeof payload);
  return json;
}

function headerAad(h: Header): Uint8Array {
  const kdf: Record<string, unknown> = h.kdf;
  const kdfFields = KDF_AAD_FIELDS[h.kdf.name].map((f) => kdf[f]);
  return utf8ToBytes(JSON.stringify(['satnav-vault', h.version, h.kdf.name, ...kdfFields, h.verifier]));
}

function base64Field(v: unknown, field: string, lengthOk: (n: number) => boolean): string {
  if (typeof v !== 'string') throw corrupt(field, typeof v);
  let n: number;
  try {
    n = base64.decode(v).length;
  } catch {
    throw corrupt(field, 'not base64');
  }
  if (!lengthOk(n)) throw corrupt(`${field} bytes`, n);
  return v;
}

/** Constant time, so comparing the verifier leaks nothing about how much of it matched. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function corrupt(field: string, value: unknown) {
  return err('VAULT_CORRUPT', `record ${field}`, value);
}
