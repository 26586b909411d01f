/**
 * Test-only fixtures for the 402 tests: signed invoices with known preimages, and the three kinds
 * of 402 headers built from them the way their servers build them. Not part of the public surface.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { encodeInvoice } from '../../devnet/bolt11-encode.ts';
import { deriveKey } from '../../devnet/keys.ts';
import { decodeInvoice } from '../bolt11/index.ts';
import { bytesToBase64, bytesToBase64url, utf8Bytes } from './codec.ts';
import { canonicalize } from './jcs.ts';
import { l402Identifier, macaroonToBase64, mintMacaroon } from './macaroon-mint.ts';
import { formatPaymentChallenge, paymentChallengeId, type PaymentParams } from './payment.ts';

/** A fixed "now" (2030-03-17), so invoices and expiries never drift with the clock. */
export const NOW = 1_900_000_000;
export const ROOT_KEY = 'demo root key';
export const MPP_SECRET = utf8Bytes('demo mpp secret');

const payee = deriveKey('satnav-l402-tests', 'payee');

export interface TestInvoice {
  readonly paymentRequest: string;
  readonly paymentHash: string;
  readonly preimage: string;
}

export function invoice(o: { seed: string; amountSat?: number; amountMsat?: bigint; currency?: 'bc' | 'tb' | 'tbs' | 'bcrt'; timestamp?: number; expirySeconds?: number }): TestInvoice {
  const preimage = sha256(utf8ToBytes(`preimage ${o.seed}`));
  const hash = sha256(preimage);
  const amountMsat = o.amountMsat ?? (o.amountSat === undefined ? undefined : BigInt(o.amountSat) * 1000n);
  const paymentRequest = encodeInvoice(
    {
      currency: o.currency ?? 'bcrt',
      timestamp: o.timestamp ?? NOW - 60,
      ...(amountMsat !== undefined && { amountMsat }),
      fields: [
        { type: 'p', paymentHash: hash },
        { type: 's', paymentSecret: sha256(utf8ToBytes(`secret ${o.seed}`)) },
        { type: 'd', description: `test ${o.seed}` },
        { type: 'x', expirySeconds: o.expirySeconds ?? 3600 },
      ],
    },
    payee.secret,
  );
  return { paymentRequest, paymentHash: bytesToHex(hash), preimage: bytesToHex(preimage) };
}

/** An Aperture-style token for `paymentHash` (location "lsat", services caveats). */
export function macaroonFor(paymentHash: string, caveats: string[] = ['services=demo:0', 'demo_capabilities=']): string {
  return macaroonToBase64(mintMacaroon({ rootKey: ROOT_KEY, identifier: l402Identifier(paymentHash, '77'.repeat(32)), location: 'lsat', caveats }));
}

/** `L402 macaroon="…", invoice="…"` (or LSAT), as Aperture writes each line. */
export function l402Line(inv: TestInvoice, o: { scheme?: string; macaroon?: string; param?: 'macaroon' | 'token' } = {}): string {
  return `${o.scheme ?? 'L402'} ${o.param ?? 'macaroon'}="${o.macaroon ?? macaroonFor(inv.paymentHash)}", invoice="${inv.paymentRequest}"`;
}

const b64urlJson = (v: unknown) => bytesToBase64url(utf8Bytes(canonicalize(v)));

/** A Payment charge challenge as Aperture mints it (JCS request, HMAC id, expiry). */
export function paymentParamsFor(inv: TestInvoice, o: { amountSat?: number; network?: string; paymentHash?: string; expires?: string; intent?: string; request?: unknown } = {}): PaymentParams {
  const request =
    o.request ??
    ({
      amount: String(o.amountSat ?? 100),
      currency: 'sat',
      methodDetails: { invoice: inv.paymentRequest, paymentHash: o.paymentHash ?? inv.paymentHash, network: o.network ?? 'regtest' },
    } as const);
  const p = { realm: 'demo', method: 'lightning', intent: o.intent ?? 'charge', request: b64urlJson(request), expires: o.expires ?? new Date((NOW + 300) * 1000).toISOString().replace('.000', '') };
  return { id: paymentChallengeId(MPP_SECRET, p), ...p };
}

export function paymentLine(inv: TestInvoice, o: Parameters<typeof paymentParamsFor>[1] = {}): string {
  return formatPaymentChallenge(paymentParamsFor(inv, o));
}

export function sessionLine(deposit: TestInvoice): string {
  return paymentLine(deposit, {
    intent: 'session',
    request: { amount: '3', currency: 'sat', depositInvoice: deposit.paymentRequest, paymentHash: deposit.paymentHash, depositAmount: '60', idleTimeout: '300' },
  });
}

/** A `PAYMENT-REQUIRED` value with one spec-dialect Lightning entry per invoice (plus an EVM one). */
export function x402Header(invs: readonly TestInvoice[], o: { network?: string; amountMsat?: (inv: TestInvoice) => string; alby?: boolean } = {}): string {
  const accepts = [
    { scheme: 'exact', network: 'eip155:84532', amount: '10000', asset: '0x036C', payTo: '0x2096', maxTimeoutSeconds: 60, extra: { name: 'USDC', version: '2' } },
    ...invs.map((inv) =>
      o.alby
        ? { scheme: 'exact', network: o.network ?? 'lightning:regtest', extra: { invoice: inv.paymentRequest } }
        : {
            scheme: 'exact',
            network: o.network ?? 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328',
            amount: o.amountMsat ? o.amountMsat(inv) : String(decodeInvoice(inv.paymentRequest).amountMsat ?? 0n),
            asset: 'BTC',
            payTo: 'anonymous',
            maxTimeoutSeconds: 600,
            extra: { paymentMethod: 'lightning', invoice: inv.paymentRequest },
          },
    ),
  ];
  return bytesToBase64(utf8Bytes(JSON.stringify({ x402Version: 2, resource: { url: 'https://demo.test/quote' }, accepts })));
}
