// BIP-32 "Test vector 1" (bitcoin/bips bip-0032.mediawiki), seed 000102030405060708090a0b0c0d0e0f.
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { assertRoot, rootFromSeed } from './root.ts';

const SEED = '000102030405060708090a0b0c0d0e0f';
const VECTOR_1: { chain: string; path: string; xpub: string; xprv: string }[] = [
  {
    chain: 'm',
    path: 'm',
    xpub: 'xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8',
    xprv: 'xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi',
  },
  {
    chain: 'm/0H',
    path: "m/0'",
    xpub: 'xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw',
    xprv: 'xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7',
  },
  {
    chain: 'm/0H/1',
    path: "m/0'/1",
    xpub: 'xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ',
    xprv: 'xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs',
  },
  {
    chain: 'm/0H/1/2H',
    path: "m/0'/1/2'",
    xpub: 'xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5',
    xprv: 'xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM',
  },
  {
    chain: 'm/0H/1/2H/2',
    path: "m/0'/1/2'/2",
    xpub: 'xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV',
    xprv: 'xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334',
  },
  {
    chain: 'm/0H/1/2H/2/1000000000',
    path: "m/0'/1/2'/2/1000000000",
    xpub: 'xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy',
    xprv: 'xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76',
  },
];

describe('BIP-32 test vector 1', () => {
  for (const v of VECTOR_1) {
    it(v.chain, () => {
      const key = rootFromSeed(hexToBytes(SEED)).derive(v.path);
      expect(key.publicExtendedKey).toBe(v.xpub);
      expect(key.privateExtendedKey).toBe(v.xprv);
    });
  }
});

describe('rootFromSeed', () => {
  for (const bytes of [0, 15, 65]) {
    it(`SEED_INVALID for ${bytes} bytes`, () => {
      expect(() => rootFromSeed(new Uint8Array(bytes))).toThrow(expect.objectContaining({ code: 'SEED_INVALID' }));
    });
  }
});

describe('assertRoot', () => {
  const root = rootFromSeed(hexToBytes(SEED));
  it('accepts the master key', () => expect(() => assertRoot(root)).not.toThrow());
  it('KEY_NOT_ROOT for a child key', () => {
    expect(() => assertRoot(root.derive("m/0'"))).toThrow(expect.objectContaining({ code: 'KEY_NOT_ROOT' }));
  });
  it('KEY_NOT_ROOT for a public-only master', () => {
    const pub = rootFromSeed(hexToBytes(SEED)).wipePrivateData();
    expect(() => assertRoot(pub)).toThrow(expect.objectContaining({ code: 'KEY_NOT_ROOT' }));
  });
});
