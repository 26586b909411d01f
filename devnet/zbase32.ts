/**
 * z-base-32 (Zooko's human-oriented base-32), the text form of lnd's SignMessage signatures.
 * Bits are read most-significant first, five at a time; the last group is padded with zero bits.
 */
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export function zbase32Encode(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Whole bytes only: trailing bits that do not fill a byte must be zero, as the encoder writes them. */
export function zbase32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`zbase32: invalid character=${JSON.stringify(ch)}`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits >= 5 || acc !== 0) throw new Error(`zbase32: non-zero padding in=${text.slice(-2)}`);
  return Uint8Array.from(out);
}
