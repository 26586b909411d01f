import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mnemonicToSeedSync } from '@scure/bip39';
import { isSatnavError } from '../errors.ts';
import { linkingKeyFor } from '../keys/lnurl-auth.ts';
import { rootFromSeed } from '../keys/root.ts';
import { NOW } from '../l402/test-fixtures.ts';
import {
  depositKeyFor, depositMessage, formatDepositCredential, parseDepositCredential, signDeposit, verifyDepositCredential,
  type DepositAction, type DepositProof, type VerifyContext,
} from './credential.ts';
import data from './vectors.json' with { type: 'json' };

const root = rootFromSeed(mnemonicToSeedSync(data.mnemonic));
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isSatnavError(e) ? e.code : 'not SatnavError';
  }
  return 'no error';
};

describe('vectors.json', () => {
  for (const v of data.vectors) {
    it(`${v.action} on ${v.origin} (${v.realm})`, () => {
      const proof: DepositProof = { action: v.action as DepositAction, origin: v.origin, realm: v.realm, paymentHash: v.paymentHash, nonce: v.nonce, timestamp: v.timestamp };
      expect(new TextDecoder().decode(depositMessage(proof))).toBe(v.message);
      const s = signDeposit(depositKeyFor(root, v.origin), proof);
      expect(s.key).toBe(v.key);
      expect(s.sig).toBe(v.sig);
      expect(formatDepositCredential(s)).toBe(v.authorization);
      const ctx: VerifyContext = { origin: v.origin, realm: v.realm, nowSeconds: v.timestamp, nonceFresh: (n, h) => n === v.nonce && h === v.paymentHash, expectAction: v.action as DepositAction };
      expect(verifyDepositCredential(v.authorization, ctx).key).toBe(v.key);
    });
  }
});

const v = data.vectors[0]!;
const ctx: VerifyContext = { origin: v.origin, realm: v.realm, nowSeconds: v.timestamp, nonceFresh: (n) => n === v.nonce, expectAction: 'hold' };
const reject = (header: string, c: Partial<VerifyContext> = {}) => code(() => verifyDepositCredential(header, { ...ctx, ...c }));
const swap = (name: string, value: string) => v.authorization.replace(new RegExp(`${name}="[^"]*"`), `${name}="${value}"`);

describe('per-site key', () => {
  it('differs per origin, is stable, and is not the LNURL-auth key', () => {
    const a = depositKeyFor(root, 'https://news.example');
    expect(depositKeyFor(root, 'https://news.example').publicKey).toEqual(a.publicKey);
    expect(depositKeyFor(root, 'https://other.example').publicKey).not.toEqual(a.publicKey);
    expect(depositKeyFor(root, 'https://news.example:444').publicKey).not.toEqual(a.publicKey);
    expect(linkingKeyFor(root, 'news.example').publicKey).not.toEqual(a.publicKey);
  });
  it('refuses a non-canonical origin', () => {
    expect(code(() => depositKeyFor(root, 'https://News.example/'))).toBe('DEPOSIT_CREDENTIAL_INVALID');
    expect(code(() => depositKeyFor(root, 'not a url'))).toBe('DEPOSIT_CREDENTIAL_INVALID');
  });
  it('refuses a non-root key', () => {
    expect(code(() => depositKeyFor(root.derive("m/0'"), 'https://news.example'))).not.toBe('no error');
  });
});

describe('verifyDepositCredential refuses', () => {
  const cases: [string, () => string][] = [
    ['another origin (sniffed header replayed elsewhere)', () => reject(v.authorization, { origin: 'https://evil.example' })],
    ['another realm', () => reject(v.authorization, { realm: 'videos' })],
    ['a used nonce', () => reject(v.authorization, { nonceFresh: () => false })],
    ['a stale timestamp', () => reject(v.authorization, { nowSeconds: v.timestamp + 301 })],
    ['a future timestamp', () => reject(v.authorization, { nowSeconds: v.timestamp - 301 })],
    ['a release credential used as hold', () => reject(v.authorization, { expectAction: 'release' })],
    ['a key other than the bound one', () => reject(v.authorization, { boundKey: data.vectors[3]!.key })],
    ['another payment hash', () => reject(swap('hash', 'ff'.repeat(32)))],
    ['another nonce', () => reject(swap('nonce', '22'.repeat(32)), { nonceFresh: () => true })],
    ['another timestamp', () => reject(swap('ts', String(v.timestamp + 1)))],
    ['another key', () => reject(swap('key', data.vectors[3]!.key))],
    ['a flipped signature bit', () => reject(swap('sig', (v.sig[0] === '0' ? '1' : '0') + v.sig.slice(1)))],
    ['a high-S signature', () => reject(swap('sig', v.sig.slice(0, 64) + 'ff'.repeat(32)))],
    ['a DER signature', () => reject(swap('sig', '30440220' + v.sig.slice(0, 64)))],
    ['an uppercase hash', () => reject(swap('hash', v.paymentHash.toUpperCase()))],
    ['an uncompressed key', () => reject(swap('key', '04' + 'aa'.repeat(64)))],
    ['an unknown action', () => reject(swap('action', 'settle'))],
    ['a repeated param', () => reject(`${v.authorization}, hash="${'00'.repeat(32)}"`)],
    ['another scheme', () => reject(v.authorization.replace(/^Deposit/, 'L402'))],
    ['two credentials', () => reject(`${v.authorization}, ${v.authorization}`)],
    ['garbage', () => reject('Deposit "')],
    ['an empty value', () => reject('')],
  ];
  for (const [name, f] of cases) it(name, () => expect(f()).toBe('DEPOSIT_CREDENTIAL_INVALID'));
});

describe('depositMessage', () => {
  const p: DepositProof = { action: 'hold', origin: v.origin, realm: v.realm, paymentHash: v.paymentHash, nonce: v.nonce, timestamp: NOW };
  it('refuses a realm with a newline (would forge another line)', () => expect(code(() => depositMessage({ ...p, realm: 'a\nb' }))).toBe('DEPOSIT_CREDENTIAL_INVALID'));
  it('refuses a fractional timestamp', () => expect(code(() => depositMessage({ ...p, timestamp: 1.5 }))).toBe('DEPOSIT_CREDENTIAL_INVALID'));
  it('refuses an origin with a path', () => expect(code(() => depositMessage({ ...p, origin: 'https://news.example/x' }))).toBe('DEPOSIT_CREDENTIAL_INVALID'));
  it('fuzz: the credential parser throws only SatnavError', () => {
    fc.assert(fc.property(fc.string(), (h) => {
      try {
        parseDepositCredential(h, v.origin);
      } catch (e) {
        if (!isSatnavError(e)) throw e;
      }
    }), { numRuns: 1000 });
  });
});
