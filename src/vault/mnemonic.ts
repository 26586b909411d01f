/**
 * BIP39 mnemonics (English wordlist): generate, parse what a person typed, derive the seed.
 * Parsing names the exact problem (word count, unknown word and where, checksum) so the
 * import screen can point at it instead of saying "invalid".
 */
import * as bip39 from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('vault');

/** Lengths BIP39 defines (entropy 128..256 bits in 32-bit steps), accepted on import. */
export const MNEMONIC_WORD_COUNTS = [12, 15, 18, 21, 24] as const;
export type MnemonicWordCount = (typeof MNEMONIC_WORD_COUNTS)[number];

const WORD_INDEX = new Map(wordlist.map((w, i) => [w, i]));
// BIP39's English list is built so that the first 4 letters identify a word.
const PREFIX_LEN = 4;
const MAX_SUGGEST_DISTANCE = 2;

/** New mnemonic for a new wallet; 12 words = 128 bits of entropy, 24 words = 256 bits. */
export function generateMnemonic(words: 12 | 24): string {
  if (words !== 12 && words !== 24) throw err('MNEMONIC_WORD_COUNT', 'word count must be 12 or 24, got', words, { count: words });
  return bip39.generateMnemonic(wordlist, (words / 3) * 32);
}

/** Canonical form of a typed mnemonic: NFKD, lowercase, single spaces. */
export function normalizeMnemonic(input: string): string {
  return input.normalize('NFKD').trim().toLowerCase().split(/\s+/u).join(' ');
}

/**
 * Normalise and validate a mnemonic typed or pasted by a person.
 * Throws MNEMONIC_WORD_COUNT, MNEMONIC_UNKNOWN_WORD (details.position is 1-based,
 * details.suggestion when a list word is close) or MNEMONIC_CHECKSUM.
 */
export function parseMnemonic(input: string): string {
  const mnemonic = normalizeMnemonic(input);
  const words = mnemonic === '' ? [] : mnemonic.split(' ');
  if (!(MNEMONIC_WORD_COUNTS as readonly number[]).includes(words.length)) {
    throw err('MNEMONIC_WORD_COUNT', 'word count must be 12, 15, 18, 21 or 24, got', words.length, { count: words.length });
  }
  words.forEach((word, i) => {
    if (WORD_INDEX.has(word)) return;
    const suggestion = suggestWord(word);
    // The message names only the position: messages reach logs, the typed word stays in details.
    throw err('MNEMONIC_UNKNOWN_WORD', 'unknown word at position', i + 1, {
      word,
      position: i + 1,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  });
  if (!bip39.validateMnemonic(mnemonic, wordlist)) throw err('MNEMONIC_CHECKSUM', 'checksum mismatch');
  return mnemonic;
}

/** BIP39 seed (64 bytes). Validates the mnemonic first: a seed from a typo would be a silent new wallet. */
export async function mnemonicToSeed(mnemonic: string, passphrase = ''): Promise<Uint8Array> {
  return bip39.mnemonicToSeedWebcrypto(parseMnemonic(mnemonic), passphrase);
}

/** The list word the person most likely meant, if exactly one stands out. */
export function suggestWord(word: string): string | undefined {
  if (word.length >= PREFIX_LEN) {
    const byPrefix = wordlist.find((w) => w.startsWith(word.slice(0, PREFIX_LEN)));
    if (byPrefix !== undefined) return byPrefix;
  }
  let best: string | undefined;
  let bestDistance = MAX_SUGGEST_DISTANCE + 1;
  let tie = false;
  for (const w of wordlist) {
    const d = editDistance(word, w);
    if (d < bestDistance) [best, bestDistance, tie] = [w, d, false];
    else if (d === bestDistance) tie = true;
  }
  return tie ? undefined : best;
}

/** Levenshtein distance where swapping two neighbours counts as one edit (common typo). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
