import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as secp from '@noble/secp256k1';
import { describe, expect, it } from 'vitest';
import luds from '../../test-vectors/luds.json' with { type: 'json' };
import { compactFromDer } from './ecdsa-der.ts';
import { LNURL_AUTH_HASHING_PATH, linkingKeyFor, linkingPathSuffix, lnurlAuthDomain, signK1, verifyK1 } from './lnurl-auth.ts';
import { rootFromSeed } from './root.ts';

// LUD-05 "Test Vector" and LUD-04 "Signature check examples" (test-vectors/luds.json).
const LUD05 = luds.lud05.testVector;
const LUD04 = luds.lud04.signatureCheck;

const root = rootFromSeed(hexToBytes('000102030405060708090a0b0c0d0e0f'));
const K1 = 'e2af6254a8df433264fa23f67eb8188635d15ce883e8fc020989d5f82ae6f11e';
const code = (code: string) => expect.objectContaining({ code });

describe('LUD-05 test vector', () => {
  it(`${LUD05.domain} → pathSuffix ${LUD05.pathSuffix.join(', ')}`, () => {
    expect(LUD05.pathSuffix).toHaveLength(4);
    expect(linkingPathSuffix(hexToBytes(LUD05.hashingPrivKey), LUD05.domain)).toEqual(LUD05.pathSuffix);
  });
});

describe('linkingKeyFor', () => {
  it("is m/138'/<suffix> with indexes ≥ 2^31 taken as hardened steps (as the LUD's Scala does)", () => {
    const suffix = linkingPathSuffix(root.derive(LNURL_AUTH_HASHING_PATH).privateKey!, 'site.com');
    // Spell the same path the way BIP32 paths are written and let @scure/bip32 parse it.
    const written = suffix.map((i) => (i >= 2 ** 31 ? `${i - 2 ** 31}'` : `${i}`)).join('/');
    const key = linkingKeyFor(root, 'site.com');
    expect(key.privateExtendedKey).toBe(root.derive(`m/138'/${written}`).privateExtendedKey);
    expect(key.depth).toBe(5);
  });

  it('one key per domain; subdomains are other domains', () => {
    const keys = ['site.com', 'auth.site.com', 'other.com'].map((d) => bytesToHex(linkingKeyFor(root, d).publicKey!));
    expect(new Set(keys).size).toBe(3);
  });

  it('the FQDN final dot is dropped (LUD-05)', () => {
    expect(linkingKeyFor(root, 'site.com.').publicKey).toEqual(linkingKeyFor(root, 'site.com').publicKey);
  });

  it('depends on the seed', () => {
    const other = rootFromSeed(new Uint8Array(32).fill(1));
    expect(linkingKeyFor(other, 'site.com').publicKey).not.toEqual(linkingKeyFor(root, 'site.com').publicKey);
  });

  it('KEY_NOT_ROOT for a derived key', () => {
    expect(() => linkingKeyFor(root.derive("m/0'"), 'site.com')).toThrow(code('KEY_NOT_ROOT'));
  });
});

describe('lnurlAuthDomain', () => {
  for (const ok of ['site.com', 'x.y.z.com', 'xn--bcher-kva.example', 'localhost', '127.0.0.1']) {
    it(`accepts ${ok}`, () => expect(lnurlAuthDomain(ok)).toBe(ok));
  }
  // Refused rather than fixed up: a second spelling would be a second identity.
  for (const bad of ['', '.', 'Site.com', 'site.com:443', 'https://site.com', 'site.com/login', 'bücher.example', 'a b.com', 'user@site.com']) {
    it(`LNURL_AUTH_DOMAIN for ${JSON.stringify(bad)}`, () => expect(() => lnurlAuthDomain(bad)).toThrow(code('LNURL_AUTH_DOMAIN')));
  }
});

describe('LUD-04 signing', () => {
  it('the LUD-04 example signature verifies; a changed k1, key or sig does not', () => {
    expect(verifyK1(LUD04.k1, LUD04.sig, LUD04.key)).toBe(true);
    expect(verifyK1(LUD04.k1.replace(/^e/, 'f'), LUD04.sig, LUD04.key)).toBe(false);
    expect(verifyK1(LUD04.k1, LUD04.sig, LUD04.key.replace(/^02/, '03'))).toBe(false);
    expect(verifyK1(LUD04.k1, LUD04.sig.replace(/3d$/, '3e'), LUD04.key)).toBe(false);
    expect(verifyK1(LUD04.k1, `${LUD04.sig}00`, LUD04.key)).toBe(false);
    expect(verifyK1(LUD04.k1, 'zz', LUD04.key)).toBe(false);
  });

  it('signK1 gives a DER low-S signature and the compressed linking key; the service accepts it', () => {
    const linking = linkingKeyFor(root, 'site.com');
    const { sig, key } = signK1(linking, K1);
    expect(key).toBe(bytesToHex(linking.publicKey!));
    expect(key).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(verifyK1(K1, sig, key)).toBe(true);
    // independent check with noble over the raw k1 bytes
    const compact = compactFromDer(hexToBytes(sig));
    expect(secp.verify(compact, hexToBytes(K1), hexToBytes(key), { prehash: false })).toBe(true);
    const s = BigInt(`0x${bytesToHex(compact.slice(32))}`);
    expect(s <= secp.Point.CURVE().n / 2n).toBe(true);
  });

  it('is deterministic (RFC 6979) and accepts upper-case k1', () => {
    const linking = linkingKeyFor(root, 'site.com');
    expect(signK1(linking, K1)).toEqual(signK1(linking, K1.toUpperCase()));
  });

  for (const bad of ['', 'e2af', `${K1}00`, K1.replace(/^e/, 'g')]) {
    it(`K1_INVALID for ${JSON.stringify(bad.slice(0, 12))}…`, () => {
      expect(() => signK1(linkingKeyFor(root, 'site.com'), bad)).toThrow(code('K1_INVALID'));
    });
  }

  it('KEY_NOT_PRIVATE for a public-only key', () => {
    const pub = linkingKeyFor(root, 'site.com').wipePrivateData();
    expect(() => signK1(pub, K1)).toThrow(code('KEY_NOT_PRIVATE'));
  });
});
