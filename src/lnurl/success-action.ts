/**
 * What a payRequest service asks the wallet to show once the payment succeeded (LUD-09, LUD-10).
 * An action the wallet cannot show must stop the payment before it is made, so every check
 * runs when the invoice arrives.
 *
 * | tag     | fields                                   | rules                                        |
 * | ------- | ---------------------------------------- | -------------------------------------------- |
 * | message | message                                  | ≤ 144 characters                             |
 * | url     | description, url                         | ≤ 144; url on the callback's host, https rule |
 * | aes     | description, ciphertext, iv (base64)     | ≤ 144; iv 16 bytes; ciphertext ≤ 4096 chars, whole AES blocks |
 *
 * aes (LUD-10): AES-256-CBC with PKCS#7 padding, key = the payment preimage, plaintext UTF-8.
 */
import { base64 } from '@scure/base';
import { hexToBytes } from '@noble/hashes/utils.js';
import { moduleErrors } from '../errors.ts';
import { checkServiceUrl, type LnurlOptions } from './service-url.ts';

const err = moduleErrors('lnurl');
const bad = (problem: string, value?: unknown) => err('LNURL_BAD_RESPONSE', `successAction: ${problem}`, value);

export type SuccessAction =
  | { tag: 'message'; message: string }
  | { tag: 'url'; description: string; url: string }
  | { tag: 'aes'; description: string; ciphertext: string; iv: string };
export type AesSuccessAction = Extract<SuccessAction, { tag: 'aes' }>;

const MAX_TEXT = 144;
const MAX_CIPHERTEXT = 4096;
const AES_BLOCK = 16;
const PREIMAGE_HEX = /^[0-9a-f]{64}$/i;

/** Checks the `successAction` of a pay callback answer; `callback` is where that answer came from. */
export function parseSuccessAction(value: unknown, callback: URL, opts: LnurlOptions = {}): SuccessAction {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not an object', value);
  const o = value as Record<string, unknown>;
  switch (o.tag) {
    case 'message':
      return { tag: 'message', message: shortText(o, 'message') };
    case 'url': {
      const url = checkServiceUrl(field(o, 'url'), 'successAction url', opts, 'LNURL_BAD_RESPONSE');
      if (url.hostname !== callback.hostname) throw bad('url is not on the callback domain', url.hostname);
      return { tag: 'url', description: shortText(o, 'description'), url: url.href };
    }
    case 'aes': {
      const ciphertext = field(o, 'ciphertext');
      if (ciphertext.length > MAX_CIPHERTEXT) throw bad('ciphertext longer than 4096 characters', ciphertext.length);
      aesInput(ciphertext, field(o, 'iv'));
      return { tag: 'aes', description: shortText(o, 'description'), ciphertext, iv: field(o, 'iv') };
    }
    default:
      throw err('LNURL_UNSUPPORTED', 'successAction of unknown kind', o.tag ?? '(no tag)');
  }
}

/** LUD-10: the plaintext of an aes action, with the preimage the payment returned. */
export async function decryptSuccessAction(action: AesSuccessAction, preimageHex: string): Promise<string> {
  if (!PREIMAGE_HEX.test(preimageHex)) throw err('LNURL_BAD_INPUT', 'preimage must be 32 bytes hex', preimageHex);
  const { ciphertext, iv } = aesInput(action.ciphertext, action.iv);
  const subtle = globalThis.crypto.subtle;
  let plain: ArrayBuffer;
  try {
    const key = await subtle.importKey('raw', owned(hexToBytes(preimageHex)), 'AES-CBC', false, ['decrypt']);
    plain = await subtle.decrypt({ name: 'AES-CBC', iv: owned(iv) }, key, owned(ciphertext));
  } catch {
    // Wrong preimage shows up as bad padding (almost always).
    throw bad('aes ciphertext does not decrypt with this preimage');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw bad('aes plaintext is not text');
  }
}

function aesInput(ciphertext: string, iv: string): { ciphertext: Uint8Array; iv: Uint8Array } {
  const c = base64Bytes(ciphertext, 'ciphertext');
  const i = base64Bytes(iv, 'iv');
  if (i.length !== AES_BLOCK) throw bad('iv must be 16 bytes', i.length);
  if (c.length === 0 || c.length % AES_BLOCK !== 0) throw bad('ciphertext must be whole AES blocks', c.length);
  return { ciphertext: c, iv: i };
}

/** LUD-10 "whitespace is ignored". */
function base64Bytes(s: string, what: string): Uint8Array {
  try {
    return base64.decode(s.replace(/\s+/g, ''));
  } catch {
    throw bad(`${what} is not base64`);
  }
}

function field(o: Record<string, unknown>, name: string): string {
  const v = o[name];
  if (typeof v !== 'string') throw bad(`${name} must be text`, v ?? '(missing)');
  return v;
}

function shortText(o: Record<string, unknown>, name: string): string {
  const v = field(o, name);
  if ([...v].length > MAX_TEXT) throw bad(`${name} longer than 144 characters`, v);
  return v;
}

/** WebCrypto's types want bytes backed by a plain ArrayBuffer. */
const owned = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);
