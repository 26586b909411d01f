// Trezor's BIP39 reference vectors (test-vectors/bip39/vectors.json, english, passphrase "TREZOR"),
// checked end to end: entropy → mnemonic, mnemonic → seed, seed → BIP32 root xprv.
import { readFileSync } from 'node:fs';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { rootFromSeed } from '../keys/root.ts';
import { mnemonicToSeed, parseMnemonic } from './mnemonic.ts';

type Vector = [entropy: string, mnemonic: string, seed: string, xprv: string];
const vectors = (
  JSON.parse(readFileSync(new URL('../../test-vectors/bip39/vectors.json', import.meta.url), 'utf8')) as { english: Vector[] }
).english;

describe('BIP39 trezor vectors (english)', () => {
  it('has the 24 upstream vectors', () => expect(vectors).toHaveLength(24));
  for (const [entropy, mnemonic, seed, xprv] of vectors) {
    it(`${mnemonic.split(' ').length} words: ${entropy}`, async () => {
      expect(entropyToMnemonic(hexToBytes(entropy), wordlist)).toBe(mnemonic);
      expect(parseMnemonic(mnemonic)).toBe(mnemonic);
      const derived = await mnemonicToSeed(mnemonic, 'TREZOR');
      expect(bytesToHex(derived)).toBe(seed);
      expect(rootFromSeed(derived).privateExtendedKey).toBe(xprv);
    });
  }
});
