import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../testing/expect-code.ts';
import { currentDepositNonce, depositNonce, isFreshDepositNonce, nonceWindow } from './nonce.ts';

// Worked by hand with Python's hmac module (an independent implementation), and shown in the doc.
const SECRET = hexToBytes('42'.repeat(32));
const HASH = '0b6c1f14d4db6ac0058b9149e31565f61949544183c06a1f88c2c67680c68fbe';
const NOW = 1_900_000_000;
const NONCE = '7ace2be99f454290359a1223e90c299388fa2052dfb523fa905169e7a5f23f5d';
const PREVIOUS = 'f81e77b90662b803126d98b7270b05e1e998d5a6668d34079aa6efb10f206d72';

describe('depositNonce', () => {
  it('matches the worked example', () => {
    expect(nonceWindow(NOW)).toBe(6_333_333);
    expect(depositNonce(SECRET, HASH, 6_333_333)).toBe(NONCE);
    expect(depositNonce(SECRET, HASH, 6_333_332)).toBe(PREVIOUS);
    expect(currentDepositNonce(SECRET, HASH, NOW)).toBe(NONCE);
  });
  it('differs per hash, window and secret', () => {
    expect(depositNonce(SECRET, 'ff'.repeat(32), 6_333_333)).not.toBe(NONCE);
    expect(depositNonce(hexToBytes('43'.repeat(32)), HASH, 6_333_333)).not.toBe(NONCE);
  });
  it('refuses a malformed hash or window', () => {
    expect(thrownCode(() => depositNonce(SECRET, HASH.toUpperCase(), 1))).toBe('DEPOSIT_CREDENTIAL_INVALID');
    expect(thrownCode(() => depositNonce(SECRET, HASH, -1))).toBe('DEPOSIT_CREDENTIAL_INVALID');
    expect(thrownCode(() => depositNonce(SECRET, HASH, 1.5))).toBe('DEPOSIT_CREDENTIAL_INVALID');
  });
  it('is shown in docs/deposit-wall.md', () => {
    const doc = readFileSync(new URL('../../docs/deposit-wall.md', import.meta.url), 'utf8');
    for (const s of [NONCE, PREVIOUS, HASH, '6333333']) expect(doc).toContain(s);
  });
});

describe('isFreshDepositNonce', () => {
  const windowStart = 6_333_333 * 300;
  it('accepts the current and the previous window', () => {
    expect(isFreshDepositNonce(SECRET, HASH, NONCE, NOW)).toBe(true);
    expect(isFreshDepositNonce(SECRET, HASH, PREVIOUS, NOW)).toBe(true);
    expect(isFreshDepositNonce(SECRET, HASH, NONCE, windowStart + 599)).toBe(true);
  });
  it('refuses a nonce two windows old (at most 10 minutes of life)', () => {
    expect(isFreshDepositNonce(SECRET, HASH, NONCE, windowStart + 600)).toBe(false);
    expect(isFreshDepositNonce(SECRET, HASH, PREVIOUS, windowStart + 300)).toBe(false);
  });
  it('refuses a nonce from the future', () => expect(isFreshDepositNonce(SECRET, HASH, NONCE, windowStart - 1)).toBe(false));
  it('refuses another hash, another secret, malformed input', () => {
    expect(isFreshDepositNonce(SECRET, 'ff'.repeat(32), NONCE, NOW)).toBe(false);
    expect(isFreshDepositNonce(hexToBytes('43'.repeat(32)), HASH, NONCE, NOW)).toBe(false);
    expect(isFreshDepositNonce(SECRET, HASH, NONCE.toUpperCase(), NOW)).toBe(false);
    expect(isFreshDepositNonce(SECRET, HASH, NONCE.slice(2), NOW)).toBe(false);
    expect(isFreshDepositNonce(SECRET, 'zz', NONCE, NOW)).toBe(false);
  });
});
