import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { LEDGER_STATUSES, NEXT_STATUS, applyPatch, preimageMatches, type LedgerEntry, type LedgerStatus } from './entry.ts';

const preimage = bytesToHex(new Uint8Array(32).fill(7));
const paymentHash = bytesToHex(sha256(new Uint8Array(32).fill(7)));
const base = (status: LedgerStatus): LedgerEntry => ({
  id: 'e1',
  origin: 'https://a.example',
  kind: 'keysend',
  source: 'webln',
  rail: 'btc',
  direction: 'out',
  amountSat: 10,
  paymentHash,
  status,
  createdAt: 1,
  updatedAt: 1,
});

describe('status changes', () => {
  // Every (from, to) pair: allowed ones apply, the rest throw INVALID_TRANSITION.
  for (const from of LEDGER_STATUSES)
    for (const to of LEDGER_STATUSES) {
      const allowed = NEXT_STATUS[from].includes(to);
      it(`${from} → ${to}: ${allowed ? 'allowed' : 'refused'}`, () => {
        const run = () => applyPatch(base(from), { status: to }, 2);
        if (allowed) expect(run().status).toBe(to);
        else expect(run).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }));
      });
    }
  it('nothing leaves succeeded, and a failed payment may still turn out to have succeeded', () => {
    expect(NEXT_STATUS.succeeded).toEqual(['succeeded']);
    expect(NEXT_STATUS.failed).toContain('succeeded');
  });
});

describe('applyPatch', () => {
  it('repeating a final outcome returns the same entry (first details win)', () => {
    const done = applyPatch(base('pending'), { status: 'failed', failureReason: 'no_route' }, 2);
    expect(applyPatch(done, { status: 'failed', failureReason: 'timeout' }, 3)).toBe(done);
  });
  it('keeps every field the patch does not name, and ignores undefined', () => {
    const next = applyPatch({ ...base('pending'), description: 'tea', maxFeeSat: 5 }, { status: 'in_flight', description: undefined }, 9);
    expect(next).toEqual({ ...base('pending'), description: 'tea', maxFeeSat: 5, status: 'in_flight', updatedAt: 9 });
  });
  it('checks the preimage against the payment hash', () => {
    expect(applyPatch(base('pending'), { status: 'succeeded', preimage }, 2).preimage).toBe(preimage);
    expect(() => applyPatch(base('pending'), { status: 'succeeded', preimage: '00'.repeat(32) }, 2)).toThrow(
      expect.objectContaining({ code: 'PREIMAGE_MISMATCH' }),
    );
  });
  it('preimageMatches is sha256(preimage) = hash', () => {
    expect(preimageMatches(preimage, paymentHash)).toBe(true);
    expect(preimageMatches(paymentHash, paymentHash)).toBe(false);
  });
});
