import { readFileSync } from 'node:fs';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../src/testing/expect-code.ts';
import { holdSecret, newHoldSecret, ownHoldSecret, secretBytes } from './secret.ts';

// Worked by hand with Python's hmac module, and shown in docs/deposit-wall.md §4.3.
const SECRET = hexToBytes('42'.repeat(32));
const ID = '00112233445566778899aabbccddeeff';
const PREIMAGE = 'a5141e38982ed7430536adc2fa6e02906af9e2a1dcb5c076142b56db56fe0c20';
const HASH = '7c4a153e287e7d21a003d71a0935d4c691aa912f471bd224391c5af5e64c4c7d';

describe('hold secrets', () => {
  it('match the worked example, which the doc shows', () => {
    expect(holdSecret(SECRET, 'articles', ID)).toEqual({ id: ID, preimage: PREIMAGE, paymentHash: HASH, memo: `deposit articles ${ID}` });
    const doc = readFileSync(new URL('../docs/deposit-wall.md', import.meta.url), 'utf8');
    for (const s of [ID, PREIMAGE, HASH]) expect(doc).toContain(s);
  });
  it('are the wall’s own only with its realm, its secret and the matching hash', () => {
    const memo = `deposit articles ${ID}`;
    expect(ownHoldSecret(SECRET, 'articles', memo, HASH)?.preimage).toBe(PREIMAGE);
    expect(ownHoldSecret(SECRET, 'videos', memo, HASH)).toBeNull();
    expect(ownHoldSecret(hexToBytes('43'.repeat(32)), 'articles', memo, HASH)).toBeNull();
    expect(ownHoldSecret(SECRET, 'articles', memo, 'ff'.repeat(32))).toBeNull();
    expect(ownHoldSecret(SECRET, 'articles', `deposit articles ${ID.toUpperCase()}`, HASH)).toBeNull();
    expect(ownHoldSecret(SECRET, 'articles', 'coffee', HASH)).toBeNull();
  });
  it('a realm with spaces round-trips through the memo', () => {
    const h = newHoldSecret(SECRET, 'chat "pro" room');
    expect(ownHoldSecret(SECRET, 'chat "pro" room', h.memo, h.paymentHash)).toEqual(h);
    expect(newHoldSecret(SECRET, 'a').id).not.toBe(newHoldSecret(SECRET, 'a').id);
  });
  it('the secret is at least 32 bytes, hex or bytes', () => {
    expect(secretBytes('42'.repeat(32))).toEqual(SECRET);
    expect(secretBytes(SECRET)).toBe(SECRET);
    expect(thrownCode(() => secretBytes('42'.repeat(31)))).toBe('INVALID_REQUEST');
    expect(thrownCode(() => secretBytes(new Uint8Array(31)))).toBe('INVALID_REQUEST');
    expect(thrownCode(() => secretBytes('g'.repeat(64)))).toBe('INVALID_REQUEST');
  });
});
