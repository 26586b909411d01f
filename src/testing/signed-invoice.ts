import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import * as secp from '@noble/secp256k1';
import { encodeInvoice } from '../../devnet/bolt11-encode.ts';

/** A payee key for test invoices (any valid secret: tests check payment logic, not the payee). */
const PAYEE_SECRET = sha256(new TextEncoder().encode('satnav test payee'));
export const TEST_PAYEE = bytesToHex(secp.getPublicKey(PAYEE_SECRET, true));

export interface TestInvoice {
  paymentRequest: string;
  paymentHash: string;
  preimage: string;
}

/** A real, signed BOLT11 invoice, made on the spot with the devnet's encoder. */
export function signedInvoice(o: { amountSat?: number; currency?: string; timestamp?: number; expirySeconds?: number; description?: string } = {}): TestInvoice {
  const preimage = randomBytes(32);
  const paymentHash = sha256(preimage);
  const paymentRequest = encodeInvoice(
    {
      currency: o.currency ?? 'bcrt',
      ...(o.amountSat !== undefined && { amountMsat: BigInt(o.amountSat) * 1000n }),
      timestamp: o.timestamp ?? Math.floor(Date.now() / 1000),
      fields: [
        { type: 'p', paymentHash },
        { type: 's', paymentSecret: randomBytes(32) },
        { type: 'd', description: o.description ?? 'test' },
        { type: 'x', expirySeconds: o.expirySeconds ?? 3600 },
      ],
    },
    PAYEE_SECRET,
  );
  return { paymentRequest, paymentHash: bytesToHex(paymentHash), preimage: bytesToHex(preimage) };
}
