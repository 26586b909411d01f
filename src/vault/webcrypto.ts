/**
 * The two WebCrypto primitives the vault needs. Native in the browser worker and in Node, so
 * the slow part (PBKDF2) runs at native speed and the AES key never needs a JS implementation.
 */

const subtle = () => globalThis.crypto.subtle;

/** WebCrypto's types want bytes backed by a plain ArrayBuffer; a copy also drops any offset into a larger buffer. */
const owned = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);

export async function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, bytes: number): Promise<Uint8Array> {
  const base = await subtle().importKey('raw', owned(password), 'PBKDF2', false, ['deriveBits']);
  const params = { name: 'PBKDF2', hash: 'SHA-256', salt: owned(salt), iterations };
  return new Uint8Array(await subtle().deriveBits(params, base, 8 * bytes));
}

export type AesGcmInput = { key: Uint8Array; iv: Uint8Array; aad: Uint8Array };

export async function aesGcmEncrypt({ key, iv, aad }: AesGcmInput, plaintext: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', owned(key), 'AES-GCM', false, ['encrypt']);
  const params = { name: 'AES-GCM', iv: owned(iv), additionalData: owned(aad), tagLength: 128 };
  return new Uint8Array(await subtle().encrypt(params, k, owned(plaintext)));
}

/** Rejects (OperationError) when the tag does not match: wrong key, or changed iv, data or aad. */
export async function aesGcmDecrypt({ key, iv, aad }: AesGcmInput, ciphertext: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', owned(key), 'AES-GCM', false, ['decrypt']);
  const params = { name: 'AES-GCM', iv: owned(iv), additionalData: owned(aad), tagLength: 128 };
  return new Uint8Array(await subtle().decrypt(params, k, owned(ciphertext)));
}
