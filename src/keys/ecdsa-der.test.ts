import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactFromDer, derFromCompact } from './ecdsa-der.ts';

// The DER signature of LUD-04's "Signature check examples".
const LUD04_SIG =
  '304402203767faf494f110b139293d9bab3c50e07b3bf33c463d4aa767256cd09132dc5102205821f8efacdb5c595b92ada255876d9201e126e2f31a140d44561cc1f7e9e43d';

const invalid = expect.objectContaining({ code: 'SIG_DER_INVALID' });

describe('DER signatures', () => {
  it('LUD-04 example: DER → r‖s → the same DER', () => {
    const compact = compactFromDer(hexToBytes(LUD04_SIG));
    expect(bytesToHex(compact)).toBe(
      '3767faf494f110b139293d9bab3c50e07b3bf33c463d4aa767256cd09132dc51' + '5821f8efacdb5c595b92ada255876d9201e126e2f31a140d44561cc1f7e9e43d',
    );
    expect(bytesToHex(derFromCompact(compact))).toBe(LUD04_SIG);
  });

  it('a high first bit gets a 0x00 prefix; leading zero bytes are dropped', () => {
    const r = new Uint8Array(32).fill(0x80);
    const s = new Uint8Array(32);
    s[30] = 0x01;
    s[31] = 0x02;
    const der = derFromCompact(Uint8Array.from([...r, ...s]));
    expect(bytesToHex(der)).toBe(`3027022100${'80'.repeat(32)}02020102`);
    expect(compactFromDer(der)).toEqual(Uint8Array.from([...r, ...s]));
  });

  it('round trips any r‖s', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (compact) => {
        expect(compactFromDer(derFromCompact(compact))).toEqual(compact);
      }),
    );
  });

  it('SIG_INVALID for a compact signature that is not 64 bytes', () => {
    expect(() => derFromCompact(new Uint8Array(63))).toThrow(expect.objectContaining({ code: 'SIG_INVALID' }));
  });

  const good = hexToBytes(LUD04_SIG);
  const edit = (f: (b: number[]) => void) => {
    const b = [...good];
    f(b);
    return Uint8Array.from(b);
  };
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['not a SEQUENCE', edit((b) => (b[0] = 0x31))],
    ['SEQUENCE length too long', edit((b) => (b[1] = b[1]! + 1))],
    ['trailing byte', Uint8Array.from([...good.slice(0, 1), good[1]! + 1, ...good.slice(2), 0])],
    ['r not an INTEGER', edit((b) => (b[2] = 0x03))],
    ['r negative', edit((b) => (b[4] = 0x80))],
    ['r zero length', Uint8Array.from([0x30, 0x06, 0x02, 0x00, 0x02, 0x02, 0x01, 0x01])],
    ['r with a needless 0x00', Uint8Array.from([0x30, 0x08, 0x02, 0x02, 0x00, 0x01, 0x02, 0x02, 0x01, 0x01])],
    ['r of 33 bytes without sign padding', Uint8Array.from([0x30, 0x26, 0x02, 0x21, ...new Uint8Array(33).fill(0x11), 0x02, 0x01, 0x01])],
    ['s runs past the end', Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x05, 0x01])],
  ];
  for (const [why, der] of bad) it(`SIG_DER_INVALID: ${why}`, () => expect(() => compactFromDer(der)).toThrow(invalid));
});
