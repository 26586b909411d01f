import { createCipheriv } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { codeOf, thrownCode } from '../testing/expect-code.ts';
import { encodeLnurl } from './decode.ts';
import { fetchLnurlParams } from './params.ts';
import { requestPayInvoice } from './pay.ts';
import { decryptSuccessAction, parseSuccessAction, type AesSuccessAction } from './success-action.ts';
import { fakeService, signedInvoice } from './testing.ts';

// LUD-10 gives code but no test vector: these tests encrypt with WebCrypto and with node:crypto
// (a second AES implementation, used as the LUD's Scala example uses its JCE).
const CALLBACK = new URL('https://shop.com/lnurlp/cb');
const PREIMAGE = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const IV = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);

async function webCryptoEncrypt(plaintext: string, key: Uint8Array, iv: Uint8Array): Promise<string> {
  const k = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-CBC', false, ['encrypt']);
  const ct = await crypto.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(iv) }, k, new TextEncoder().encode(plaintext));
  return base64.encode(new Uint8Array(ct));
}

function nodeEncrypt(plaintext: string, key: Uint8Array, iv: Uint8Array): string {
  const cipher = createCipheriv('aes-256-cbc', key, iv); // PKCS#7 padding by default
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

const aes = (ciphertext: string, iv = base64.encode(IV)): AesSuccessAction => ({ tag: 'aes', description: 'Your redeem code', ciphertext, iv });

describe('LUD-09 message and url', () => {
  it('message', () => {
    expect(parseSuccessAction({ tag: 'message', message: 'Thank you for using bike-over-ln co! Your rental bike is unlocked now' }, CALLBACK)).toEqual({
      tag: 'message',
      message: 'Thank you for using bike-over-ln co! Your rental bike is unlocked now',
    });
  });

  it('url on the callback domain', () => {
    const action = { tag: 'url', description: 'Thank you for your purchase. Here is your order details', url: 'https://shop.com/order/42' };
    expect(parseSuccessAction(action, CALLBACK)).toEqual(action);
  });

  it('a message of exactly 144 characters (emoji count as one)', () => {
    expect(parseSuccessAction({ tag: 'message', message: '⚡'.repeat(144) }, CALLBACK)).toMatchObject({ tag: 'message' });
  });

  const bad: Array<[why: string, action: unknown, code: string, message: RegExp]> = [
    ['a message over 144 characters', { tag: 'message', message: 'x'.repeat(145) }, 'LNURL_BAD_RESPONSE', /message longer than 144/],
    ['a message that is not text', { tag: 'message', message: 1 }, 'LNURL_BAD_RESPONSE', /message must be text/],
    ['a url on another domain', { tag: 'url', description: 'x', url: 'https://evil.com/order/42' }, 'LNURL_BAD_RESPONSE', /not on the callback domain=evil.com/],
    ['a url on a subdomain', { tag: 'url', description: 'x', url: 'https://pay.shop.com/o' }, 'LNURL_BAD_RESPONSE', /not on the callback domain/],
    ['an http url', { tag: 'url', description: 'x', url: 'http://shop.com/order/42' }, 'LNURL_BAD_RESPONSE', /must be https/],
    ['a javascript: url', { tag: 'url', description: 'x', url: 'javascript:alert(1)' }, 'LNURL_BAD_RESPONSE', /must be https/],
    ['a url without a description', { tag: 'url', url: 'https://shop.com/o' }, 'LNURL_BAD_RESPONSE', /description must be text/],
    ['a description over 144 characters', { tag: 'url', description: 'x'.repeat(145), url: 'https://shop.com/o' }, 'LNURL_BAD_RESPONSE', /description longer/],
    ['an unknown tag', { tag: 'confetti' }, 'LNURL_UNSUPPORTED', /unknown kind=confetti/],
    ['no tag', { message: 'hi' }, 'LNURL_UNSUPPORTED', /unknown kind/],
    ['a string', 'Thanks!', 'LNURL_BAD_RESPONSE', /not an object/],
    ['an array', [{ tag: 'message', message: 'x' }], 'LNURL_BAD_RESPONSE', /not an object/],
  ];
  for (const [why, action, code, message] of bad) {
    it(`${code} for ${why}`, () => {
      expect(thrownCode(() => parseSuccessAction(action, CALLBACK))).toBe(code);
      expect(() => parseSuccessAction(action, CALLBACK)).toThrow(message);
    });
  }
});

describe('successAction in the pay flow', () => {
  const metadata = '[["text/plain","Bike rental"]]';
  const pay = { tag: 'payRequest', callback: CALLBACK.href, minSendable: 1000, maxSendable: 1000, metadata };
  const pr = signedInvoice({ amountMsat: 1000n, descriptionHashOf: metadata });

  async function run(successAction: unknown) {
    const svc = fakeService({
      'https://shop.com/lnurlp': { json: pay },
      [CALLBACK.href]: { json: { pr, routes: [], successAction } },
    });
    const params = await fetchLnurlParams(encodeLnurl('https://shop.com/lnurlp'), { fetch: svc.fetch });
    if (params.tag !== 'payRequest') throw new Error('expected payRequest');
    return requestPayInvoice(params, 1000, { fetch: svc.fetch });
  }

  it('is kept with the invoice', async () => {
    expect((await run({ tag: 'message', message: 'Unlocked' })).successAction).toEqual({ tag: 'message', message: 'Unlocked' });
  });

  it('null means none', async () => expect((await run(null)).successAction).toBeUndefined());

  it('an unknown kind stops the payment before it is made (LUD-09)', async () => {
    expect(await codeOf(run({ tag: 'hologram', data: 'x' }))).toBe('LNURL_UNSUPPORTED');
  });

  it('a url on another domain stops it too', async () => {
    expect(await codeOf(run({ tag: 'url', description: 'x', url: 'https://evil.com/' }))).toBe('LNURL_BAD_RESPONSE');
  });

  it('an aes action with a bad iv stops it too', async () => {
    expect(await codeOf(run({ tag: 'aes', description: 'x', ciphertext: base64.encode(new Uint8Array(16)), iv: 'AAAA' }))).toBe('LNURL_BAD_RESPONSE');
  });
});

describe('LUD-10 aes', () => {
  const plaintexts = ['Secret data', '1234', 'exactly sixteen!', 'pin: 8842 — héllo ⚡', 'x'.repeat(1000)];
  for (const plaintext of plaintexts) {
    it(`WebCrypto round trip: ${JSON.stringify(plaintext.slice(0, 20))}`, async () => {
      const action = parseSuccessAction(aes(await webCryptoEncrypt(plaintext, PREIMAGE, IV)), CALLBACK);
      if (action.tag !== 'aes') throw new Error('expected aes');
      expect(await decryptSuccessAction(action, bytesToHex(PREIMAGE))).toBe(plaintext);
    });
  }

  it('decrypts what node:crypto (AES/CBC/PKCS5Padding) encrypted', async () => {
    expect(await decryptSuccessAction(aes(nodeEncrypt('Secret data', PREIMAGE, IV)), bytesToHex(PREIMAGE))).toBe('Secret data');
  });

  it('the iv is 24 base64 characters, as LUD-10 says', () => expect(base64.encode(IV)).toHaveLength(24));

  it('whitespace in the base64 is ignored (LUD-10)', async () => {
    const ct = nodeEncrypt('Secret data', PREIMAGE, IV);
    const spaced = aes(`${ct.slice(0, 8)}\n ${ct.slice(8)}`, ` ${base64.encode(IV)}\n`);
    expect(await decryptSuccessAction(spaced, bytesToHex(PREIMAGE).toUpperCase())).toBe('Secret data');
  });

  it('LNURL_BAD_RESPONSE with another preimage', async () => {
    const ct = nodeEncrypt('Secret data', PREIMAGE, IV);
    const wrong = bytesToHex(PREIMAGE.map((b) => b ^ 0x55));
    await expect(decryptSuccessAction(aes(ct), wrong)).rejects.toMatchObject({ code: 'LNURL_BAD_RESPONSE' });
  });

  it('LNURL_BAD_RESPONSE when the plaintext is not UTF-8', async () => {
    const cipher = createCipheriv('aes-256-cbc', PREIMAGE, IV);
    const ct = Buffer.concat([cipher.update(Uint8Array.of(0xff, 0xfe, 0xfd)), cipher.final()]).toString('base64');
    await expect(decryptSuccessAction(aes(ct), bytesToHex(PREIMAGE))).rejects.toThrow('aes plaintext is not text');
  });

  const badPreimages = ['', 'ab'.repeat(31), 'zz'.repeat(32), 'ab'.repeat(33)];
  for (const preimage of badPreimages) {
    it(`LNURL_BAD_INPUT for preimage ${JSON.stringify(preimage.slice(0, 12))} (${preimage.length} chars)`, async () => {
      expect(await codeOf(decryptSuccessAction(aes(nodeEncrypt('x', PREIMAGE, IV)), preimage))).toBe('LNURL_BAD_INPUT');
    });
  }

  const bad: Array<[why: string, action: Record<string, unknown>, message: RegExp]> = [
    ['an iv of 12 bytes', { ...aes(base64.encode(new Uint8Array(16))), iv: base64.encode(new Uint8Array(12)) }, /iv must be 16 bytes/],
    ['an iv that is not base64', { ...aes(base64.encode(new Uint8Array(16))), iv: '%%%%' }, /iv is not base64/],
    ['a ciphertext that is not base64', aes('not base64!'), /ciphertext is not base64/],
    ['an empty ciphertext', aes(''), /whole AES blocks/],
    ['a ciphertext of 15 bytes', aes(base64.encode(new Uint8Array(15))), /whole AES blocks/],
    ['a ciphertext over 4096 characters', aes(base64.encode(new Uint8Array(3088))), /longer than 4096/],
    ['no ciphertext', { tag: 'aes', description: 'x', iv: base64.encode(IV) }, /ciphertext must be text/],
    ['no iv', { tag: 'aes', description: 'x', ciphertext: base64.encode(new Uint8Array(16)) }, /iv must be text/],
    ['no description', { tag: 'aes', ciphertext: base64.encode(new Uint8Array(16)), iv: base64.encode(IV) }, /description must be text/],
  ];
  for (const [why, action, message] of bad) {
    it(`LNURL_BAD_RESPONSE for ${why}`, () => {
      expect(thrownCode(() => parseSuccessAction(action, CALLBACK))).toBe('LNURL_BAD_RESPONSE');
      expect(() => parseSuccessAction(action, CALLBACK)).toThrow(message);
    });
  }

  it('a ciphertext of exactly 4096 characters is accepted', () => {
    const ct = base64.encode(new Uint8Array(3072));
    expect(ct).toHaveLength(4096);
    expect(parseSuccessAction(aes(ct), CALLBACK)).toMatchObject({ tag: 'aes' });
  });
});
