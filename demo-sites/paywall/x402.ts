/**
 * x402 v2, `exact` scheme on Lightning, as `@getalby/lightning-tools`' `fetchWithX402` speaks it.
 *
 * Sources:
 * - Scheme text: github:coinbase/x402 specs/schemes/exact/scheme_exact_lightning.md
 *   @ 6e657e7d13d826ed3938fac42fbada4df92c3310; HTTP transport: specs/transports-v2/http.md
 *   @ dd927a26cfefc98c24b3ec38b3a8f204dad0c60d.
 * - Client: npm `@getalby/lightning-tools` 9.0.1, src/402/x402/x402.ts and src/402/x402/utils.ts
 *   (sources in dist/esm/402.js.map). The GitHub repository getAlby/js-lightning-tools has it only
 *   on branch `x402` @ ee426e674e337b0434eefd108d8e968be22e5f0a (src/l402/x402.ts), in an older
 *   shape: it picks `network.startsWith("lightning")` and sends `payload: {preimage}`. This server
 *   follows the released client and the scheme text.
 *
 * 402 response: header `PAYMENT-REQUIRED` = base64 (standard, padded; the client decodes it with
 *   `atob`) of JSON {x402Version: 2, error, resource: {url, description, mimeType}, accepts: [
 *   {scheme: "exact", network: <CAIP-2>, amount: "<msat>", asset: "BTC", payTo: "anonymous",
 *    maxTimeoutSeconds, extra: {paymentMethod: "lightning", invoice: "<bolt11>"}}]}.
 *   The client picks the entry whose `extra.paymentMethod` is "lightning", refuses when the
 *   invoice's amount (msat) differs from `amount`, pays, and retries. It reads the header whatever
 *   the status (no 402 check).
 * Retry: header `payment-signature` = base64 of JSON {x402Version: 2, scheme, network,
 *   payload: {invoice}, accepted: <the entry, unchanged>} (the scheme text has `resource` instead
 *   of the top-level scheme/network; both are accepted here). No preimage: the server asks its own
 *   node whether the invoice is settled, and takes each invoice once.
 * Success: `PAYMENT-RESPONSE` = base64 JSON {success: true, transaction: <bolt11>, network,
 *   payer: "anonymous", extra: {invoice, settledAt: <unix>}} (the scheme text names the invoice as
 *   the transaction id).
 *
 * Network: the devnet is regtest (`lnbcrt` invoices). CAIP-2 for a bip122 chain is
 * `bip122:<first 32 hex digits of the genesis block hash>`; regtest's genesis is
 * 0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206.
 */

export const X402_NETWORK = {
  mainnet: 'bip122:000000000019d6689c085ae165831e93',
  testnet: 'bip122:000000000933ea01ad0ee984209779ba',
  regtest: 'bip122:0f9188f13cb7b2c71f2a335e3a4fc328',
} as const;

export const HEADER = { required: 'PAYMENT-REQUIRED', signature: 'PAYMENT-SIGNATURE', response: 'PAYMENT-RESPONSE' } as const;

export interface Requirements {
  scheme: 'exact';
  network: string;
  amount: string;
  asset: 'BTC';
  payTo: string;
  maxTimeoutSeconds: number;
  extra: { paymentMethod: 'lightning'; invoice: string };
}

export interface PaymentRequired {
  x402Version: 2;
  error: string;
  resource: { url: string; description: string; mimeType: string };
  accepts: Requirements[];
}

export interface PaymentPayload {
  x402Version: number;
  scheme?: string;
  network?: string;
  resource?: unknown;
  accepted: Requirements;
  payload: { invoice: string };
}

export const encodeJsonHeader = (v: unknown): string => Buffer.from(JSON.stringify(v), 'utf8').toString('base64');

export function decodeJsonHeader(value: string): unknown {
  const s = value.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new Error('not standard base64');
  return JSON.parse(Buffer.from(s, 'base64').toString('utf8'));
}

/** Shape check of a `PAYMENT-SIGNATURE` header; throws with the reason. */
export function parsePaymentSignature(value: string): PaymentPayload {
  const p = decodeJsonHeader(value) as Partial<PaymentPayload> | null;
  if (!p || typeof p !== 'object') throw new Error('payload is not a JSON object');
  if (p.x402Version !== 2) throw new Error(`x402Version must be 2, got ${String(p.x402Version)}`);
  if (!p.accepted || typeof p.accepted !== 'object') throw new Error('accepted missing');
  if (typeof p.payload?.invoice !== 'string') throw new Error('payload.invoice missing');
  if (typeof p.accepted.extra?.invoice !== 'string') throw new Error('accepted.extra.invoice missing');
  return p as PaymentPayload;
}
