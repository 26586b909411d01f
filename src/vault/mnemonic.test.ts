import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { SatnavError } from '../errors.ts';
import { generateMnemonic, mnemonicToSeed, normalizeMnemonic, parseMnemonic, suggestWord } from './mnemonic.ts';

const VALID_12 = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

function failure(fn: () => unknown): SatnavError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SatnavError) return e;
    throw e;
  }
  throw new Error('expected a SatnavError');
}

describe('generateMnemonic', () => {
  for (const words of [12, 24] as const) {
    it(`${words} words that parse back`, () => {
      const m = generateMnemonic(words);
      expect(m.split(' ')).toHaveLength(words);
      expect(parseMnemonic(m)).toBe(m);
    });
  }
  it('differs each time', () => expect(generateMnemonic(12)).not.toBe(generateMnemonic(12)));
  it('refuses other lengths', () => {
    expect(failure(() => generateMnemonic(15 as 12)).code).toBe('MNEMONIC_WORD_COUNT');
  });
});

describe('parseMnemonic', () => {
  it('normalises case, spacing and unicode form', () => {
    expect(parseMnemonic(`  ABANDON\tabandon\n abandon abandon  abandon abandon abandon abandon abandon abandon abandon About \u3000`)).toBe(VALID_12);
    expect(normalizeMnemonic('Ａｂａｎｄｏｎ  about')).toBe('abandon about'); // fullwidth letters fold under NFKD
  });

  for (const words of [12, 15, 18, 21, 24]) {
    it(`accepts ${words} words`, () => {
      const m = entropyToMnemonic(new Uint8Array((words / 3) * 4).fill(0x7f), wordlist);
      expect(parseMnemonic(m)).toBe(m);
    });
  }

  for (const count of [0, 1, 11, 13, 23, 25]) {
    it(`MNEMONIC_WORD_COUNT for ${count} words`, () => {
      const e = failure(() => parseMnemonic('abandon '.repeat(count)));
      expect(e.code).toBe('MNEMONIC_WORD_COUNT');
      expect(e.details).toEqual({ count });
      expect(e.message).toBe(`vault: word count must be 12, 15, 18, 21 or 24, got=${count}`);
    });
  }

  it('MNEMONIC_UNKNOWN_WORD names the 1-based position and suggests the close word', () => {
    const e = failure(() => parseMnemonic(VALID_12.replace(/^(\w+ \w+ )abandon/, '$1abandn')));
    expect(e.code).toBe('MNEMONIC_UNKNOWN_WORD');
    expect(e.details).toEqual({ word: 'abandn', position: 3, suggestion: 'abandon' });
    expect(e.message).not.toContain('abandn');
  });

  it('MNEMONIC_UNKNOWN_WORD without a suggestion when nothing is close', () => {
    const e = failure(() => parseMnemonic(VALID_12.replace(/about$/, 'qqqqqqqq')));
    expect(e.details).toEqual({ word: 'qqqqqqqq', position: 12 });
  });

  it('MNEMONIC_CHECKSUM for known words with a wrong last word', () => {
    expect(failure(() => parseMnemonic(VALID_12.replace(/about$/, 'abandon'))).code).toBe('MNEMONIC_CHECKSUM');
  });
});

describe('suggestWord', () => {
  const cases: [typed: string, expected: string | undefined][] = [
    ['abandn', 'abandon'], // first four letters identify an English BIP39 word
    ['zooo', 'zoo'], // one extra letter
    ['wrnog', 'wrong'], // swapped neighbours count as one edit
    ['acress', undefined], // across / access: a tie is no suggestion
    ['qqqqqqqq', undefined],
  ];
  for (const [typed, expected] of cases) it(`${typed} → ${expected}`, () => expect(suggestWord(typed)).toBe(expected));
});

describe('mnemonicToSeed', () => {
  it('refuses an invalid mnemonic instead of deriving a silent new wallet', async () => {
    await expect(mnemonicToSeed(VALID_12.replace(/about$/, 'abandon'))).rejects.toMatchObject({ code: 'MNEMONIC_CHECKSUM' });
  });
  it('passphrase changes the seed; typing differences do not', async () => {
    const a = await mnemonicToSeed(VALID_12);
    expect(await mnemonicToSeed(VALID_12.toUpperCase())).toEqual(a);
    expect(await mnemonicToSeed(VALID_12, 'x')).not.toEqual(a);
  });
});
