/**
 * z-base-32 (Zooko's human-oriented base-32), as lnd and Core Lightning print message
 * signatures: 5 bits a character, most significant first, last character padded with zero
 * bits, no '=' padding.
 */
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('keys');

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const BITS = 5;

export function zbase32Encode(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= BITS) {
      bits -= BITS;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (BITS - bits)) & 31];
  return out;
}

/** Strict: only the one string zbase32Encode would give is accepted (ZBASE32_INVALID). */
export function zbase32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const [i, ch] of [...text].entries()) {
    const v = ALPHABET.indexOf(ch);
    if (v === -1) throw err('ZBASE32_INVALID', `zbase32 character at ${i}`, ch);
    acc = (acc << BITS) | v;
    bits += BITS;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  // Leftover bits are padding: fewer than one character's worth, and all zero.
  if (bits >= BITS || acc !== 0) throw err('ZBASE32_INVALID', 'zbase32 padding', text.length);
  return Uint8Array.from(out);
}
