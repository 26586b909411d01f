import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zbase32Decode, zbase32Encode } from './zbase32.ts';

// Byte strings with their published z-base-32 form.
const VECTORS: { source: string; hex: string; zbase32: string }[] = [
  { source: 'empty', hex: '', zbase32: '' },
  // "hello", from the README of PSPDFKit-labs/zbase32 (Elixir).
  { source: 'utf8 "hello"', hex: bytesToHex(utf8ToBytes('hello')), zbase32: 'pb1sa5dx' },
  // Core Lightning's signmessage example 1 ("this is a test!"): zbase = encode(31 + recid ‖ signature), recid 00.
  {
    source: 'CLN signmessage example',
    hex: '1f9ea05929890e40489edbd5fe0552d22bcffe00bbd29da4fcf93ed5d8f1973e421509071a64935231a126637e3615225ddda86d2d0926ae537d9c3be149f9b21f',
    zbase32: 'd6xkysjjtr8ry1r65xk9hbk14eih99oyzxjj5j8h9r9pms8t1h9rrfejyhpgjr41ggo1ca56gak1rzq7ibs14njgi3jz58b5hfr9uco9',
  },
  // `lightning-cli signmessage` output quoted in the README of SeverinAlexB/ln-verifymessagejs: recid 01.
  {
    source: 'CLN signmessage, recid 01',
    hex: '20ddd47bc1398327e98775b27cc575fce1df2464c382549eacebc7233c1cbc4b430f8ee4d654719a1bc281f51b030ba9fa8bf95032c26abfe6e56bb282a9065332',
    zbase32: 'rdq7e66b8gb1x4c8qs383tmi9uo76jdraqbfj8ic7xd1gxyhztfwgdhqhumfehc4dxbed7e5ycf4u6wm9fedfoukz9uqk471okwocw31',
  },
];

describe('zbase32 vectors', () => {
  for (const v of VECTORS) {
    it(v.source, () => {
      expect(zbase32Encode(hexToBytes(v.hex))).toBe(v.zbase32);
      expect(bytesToHex(zbase32Decode(v.zbase32))).toBe(v.hex);
    });
  }
});

describe('zbase32 codec', () => {
  it('bit layout: one zero byte is "yy", 0xff is "9h" (5 + 3 bits, padded with zeros)', () => {
    expect(zbase32Encode(Uint8Array.of(0))).toBe('yy');
    expect(zbase32Encode(Uint8Array.of(0xf0))).toBe('6y'); // 11110 000|00: most significant bits first
    expect(zbase32Encode(Uint8Array.of(0xff))).toBe('9h');
    expect(zbase32Encode(new Uint8Array(5).fill(0xff))).toBe('99999999');
  });

  it('round trips any bytes, at 8 bits → ceil(8n/5) characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = zbase32Encode(bytes);
        expect(text).toHaveLength(Math.ceil((bytes.length * 8) / 5));
        expect(zbase32Decode(text)).toEqual(bytes);
      }),
    );
  });

  const bad: [string, string][] = [
    ['letter l (not in the alphabet)', 'yl'],
    ['letter v', 'yv'],
    ['digit 2', 'y2'],
    ['upper case', 'PB1SA5DX'],
    ['non-zero padding bits', 'yb'], // "b" = 00001: the last 2 bits are padding and must be 0
    ['a character that carries no whole byte', 'yyy'],
    ['a lone character', 'y'],
  ];
  for (const [why, text] of bad) {
    it(`ZBASE32_INVALID: ${why}`, () => expect(() => zbase32Decode(text)).toThrow(expect.objectContaining({ code: 'ZBASE32_INVALID' })));
  }
});
