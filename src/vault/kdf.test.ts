import { expand } from '@noble/hashes/hkdf.js';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { CURRENT_KDF, MIN_KDF, deriveVaultKeys, needsUpgrade, newKdfParams, parseKdfParams } from './kdf.ts';
import type { KdfFloor, KdfParams } from './kdf.ts';

const SALT16 = base64.encode(new Uint8Array(16).fill(7));
const TEST_FLOOR: KdfFloor = { 'pbkdf2-sha256': { iterations: 1 }, scrypt: { N: 2, r: 1, p: 1 } };

describe('parseKdfParams', () => {
  const good: KdfParams[] = [
    { name: 'pbkdf2-sha256', iterations: 600_000, salt: SALT16 },
    { name: 'pbkdf2-sha256', iterations: 1, salt: base64.encode(new Uint8Array(64)) },
    { name: 'scrypt', N: 2 ** 17, r: 8, p: 1, salt: SALT16 },
    { name: 'scrypt', N: 2 ** 18, r: 8, p: 4, salt: SALT16 }, // 256 MiB: the most a record may ask for
  ];
  for (const params of good) it(`accepts ${JSON.stringify(params)}`, () => expect(parseKdfParams(params)).toEqual(params));

  const pb = (over: Record<string, unknown>) => ({ name: 'pbkdf2-sha256', iterations: 600_000, salt: SALT16, ...over });
  const sc = (over: Record<string, unknown>) => ({ name: 'scrypt', N: 2 ** 17, r: 8, p: 1, salt: SALT16, ...over });
  const bad: [string, unknown][] = [
    ['not an object', 'pbkdf2'],
    ['null', null],
    ['array', []],
    ['unknown name', pb({ name: 'argon2id' })],
    ['iterations 0', pb({ iterations: 0 })],
    ['iterations absurd', pb({ iterations: 1e9 })],
    ['iterations fractional', pb({ iterations: 1.5 })],
    ['iterations string', pb({ iterations: '600000' })],
    ['missing iterations', { name: 'pbkdf2-sha256', salt: SALT16 }],
    ['extra field', pb({ N: 2 })],
    ['salt too short', pb({ salt: base64.encode(new Uint8Array(15)) })],
    ['salt too long', pb({ salt: base64.encode(new Uint8Array(65)) })],
    ['salt not base64', pb({ salt: '!!!!' })],
    ['salt missing', { name: 'pbkdf2-sha256', iterations: 600_000 }],
    ['N not a power of two', sc({ N: 3 * 2 ** 16 })],
    ['N too large', sc({ N: 2 ** 21 })],
    ['N = 1', sc({ N: 1 })],
    ['r too large', sc({ r: 33 })],
    ['p too large', sc({ p: 5 })],
    ['memory over 256 MiB', sc({ N: 2 ** 20, r: 8 })],
  ];
  for (const [why, raw] of bad) {
    it(`KDF_PARAMS_INVALID: ${why}`, () => expect(() => parseKdfParams(raw)).toThrow(expect.objectContaining({ code: 'KDF_PARAMS_INVALID' })));
  }
});

describe('floors', () => {
  it('the default meets the floor', () => expect(needsUpgrade(CURRENT_KDF)).toBe(false));
  const cases: [KdfParams | typeof CURRENT_KDF, boolean][] = [
    [{ name: 'pbkdf2-sha256', iterations: 599_999 }, true],
    [{ name: 'pbkdf2-sha256', iterations: 600_000 }, false],
    [{ name: 'scrypt', N: 2 ** 16, r: 8, p: 1 }, true],
    [{ name: 'scrypt', N: 2 ** 17, r: 4, p: 1 }, true],
    [{ name: 'scrypt', N: 2 ** 17, r: 8, p: 1 }, false],
  ];
  for (const [params, expected] of cases) it(`needsUpgrade(${JSON.stringify(params)}) = ${expected}`, () => expect(needsUpgrade(params)).toBe(expected));

  it('newKdfParams refuses a weak choice (KDF_TOO_WEAK)', () => {
    expect(() => newKdfParams({ name: 'pbkdf2-sha256', iterations: 100_000 })).toThrow(expect.objectContaining({ code: 'KDF_TOO_WEAK' }));
    expect(() => newKdfParams({ name: 'scrypt', N: 2 ** 14, r: 8, p: 1 }, MIN_KDF)).toThrow(expect.objectContaining({ code: 'KDF_TOO_WEAK' }));
  });
  it('newKdfParams also refuses absurd choices', () => {
    expect(() => newKdfParams({ name: 'pbkdf2-sha256', iterations: 1e9 })).toThrow(expect.objectContaining({ code: 'KDF_PARAMS_INVALID' }));
  });
  it('newKdfParams picks a fresh 16-byte salt', () => {
    const a = newKdfParams(CURRENT_KDF);
    const b = newKdfParams(CURRENT_KDF);
    expect(base64.decode(a.salt)).toHaveLength(16);
    expect(a.salt).not.toBe(b.salt);
    expect(a).toMatchObject(CURRENT_KDF);
  });
});

describe('deriveVaultKeys', () => {
  const params: KdfParams = { name: 'pbkdf2-sha256', iterations: 1000, salt: SALT16 };

  it('WebCrypto PBKDF2 + HKDF-Expand matches an independent computation (noble)', async () => {
    const stretched = pbkdf2(sha256, utf8ToBytes('correct horse'), base64.decode(SALT16), { c: 1000, dkLen: 32 });
    const okm = expand(sha256, stretched, utf8ToBytes('satnav/vault/v1 key+verifier'), 64);
    const keys = await deriveVaultKeys('correct horse', params);
    expect(keys.key).toEqual(okm.slice(0, 32));
    expect(keys.verifier).toEqual(sha256(okm.slice(32)));
  });

  it('depends on password and salt', async () => {
    const a = await deriveVaultKeys('correct horse', params);
    expect((await deriveVaultKeys('correct horsf', params)).key).not.toEqual(a.key);
    expect((await deriveVaultKeys('correct horse', { ...params, salt: base64.encode(new Uint8Array(16)) })).key).not.toEqual(a.key);
  });

  it('the same password typed in another unicode form gives the same keys (NFKC)', async () => {
    const composed = await deriveVaultKeys('p\u00e4ssw\u00f6rd', params);
    const decomposed = await deriveVaultKeys('pa\u0308sswo\u0308rd', params);
    expect(decomposed).toEqual(composed);
  });

  it('scrypt works and differs from pbkdf2', async () => {
    const s = await deriveVaultKeys('correct horse', { name: 'scrypt', N: 2 ** 4, r: 1, p: 1, salt: SALT16 });
    expect(s.key).toHaveLength(32);
    expect(s.key).not.toEqual((await deriveVaultKeys('correct horse', params)).key);
    expect(newKdfParams({ name: 'scrypt', N: 2 ** 4, r: 1, p: 1 }, TEST_FLOOR).name).toBe('scrypt');
  });
});
