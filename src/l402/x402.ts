/**
 * x402 on Lightning: the `exact` scheme paid with a BOLT11 invoice.
 *
 * Two dialects exist and both are read. Sources (checked, not copied):
 * - the scheme text, x402-foundation/x402 `specs/schemes/exact/scheme_exact_lightning.md`
 *   @ 0a9b24dda469badef6fdb549fb89c7a261fd48b9 (same as coinbase/x402 @ 6e657e7d except `payTo`
 *   always "anonymous", the in-flight `Retry-After`, and `transaction` = payment hash);
 *   the transport, coinbase/x402 `specs/transports-v2/http.md` and
 *   `typescript/packages/core/src/{http/x402HTTPClient.ts,schemas/index.ts}` @ dd927a26;
 * - `@getalby/lightning-tools` `fetchWithX402`, getAlby/js-lightning-tools branch `x402`
 *   `src/l402/x402.ts`, `src/l402/utils.ts` (`buildX402PaymentSignature`) @ ee426e67 (7.0.2).
 *
 * | step            | header                                 | body                               |
 * | --------------- | -------------------------------------- | ---------------------------------- |
 * | 402 response    | `PAYMENT-REQUIRED`: base64 (std, UTF-8) of JSON | `{x402Version: 2, error?, resource: {url, description?, mimeType?}, accepts: [PaymentRequirements…], extensions?}` |
 * | retry request   | `PAYMENT-SIGNATURE`: base64 (std, UTF-8) of JSON | `{x402Version: 2, resource?, accepted: <the chosen requirements, unchanged>, payload, extensions?}` |
 * | success         | `PAYMENT-RESPONSE`: base64 of JSON     | `{success, transaction, network, payer?, extra?: {invoice, settledAt}}` |
 *
 * A Lightning `PaymentRequirements` in each dialect:
 *
 * | field             | spec (x402-foundation)                       | Alby `fetchWithX402`                     |
 * | ----------------- | -------------------------------------------- | ---------------------------------------- |
 * | scheme            | `"exact"`                                    | `"exact"` (not checked)                  |
 * | network           | CAIP-2 `bip122:<genesis hash, 32 hex>`       | `lightning:mainnet`, `lightning:testnet` (selects the first entry whose network starts with `lightning`) |
 * | extra.paymentMethod | `"lightning"`                              | absent                                   |
 * | extra.invoice     | BOLT11                                       | BOLT11 (required)                        |
 * | amount            | string, **millisatoshi**, must equal the invoice | absent (not read)                    |
 * | asset, payTo, maxTimeoutSeconds | `"BTC"`, `"anonymous"`, seconds | absent                              |
 * | retry `payload`   | `{invoice}` (server checks its own node)     | `{preimage}`, plus top-level `scheme` and `network` |
 *
 * Alby also omits `x402Version` in what it accepts (its tests send `{accepts}` only); a header
 * without it is read as version 2, any other version is refused (v1 used a JSON body and
 * `X-PAYMENT`, and the Lightning scheme is v2 only).
 *
 * What Satnav sends back satisfies both readers: `{x402Version: 2, scheme, network, resource?,
 * accepted, payload: {invoice, preimage}}`. Coinbase's schemas are non-strict zod objects (unknown
 * keys are stripped) and the spec's `payload.invoice` equals `accepted.extra.invoice`; Alby's
 * server reads `payload.preimage`. The preimage tells the payee nothing it does not know.
 *
 * A paid x402 invoice buys one request, not a reusable credential (unlike L402). While the HTLC
 * is in flight a server may answer 402 with `Retry-After`: wait and resend, never pay twice.
 */
import type { Network } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import { base64ToBytes, bytesToBase64, hex32, isObject, parseJson, utf8, utf8Bytes } from './codec.ts';

const err = moduleErrors('l402');
const fail = (problem: string, value?: unknown) => err('L402_CHALLENGE_INVALID', problem, value);

export const X402_REQUIRED_HEADER = 'PAYMENT-REQUIRED';
export const X402_SIGNATURE_HEADER = 'PAYMENT-SIGNATURE';
export const X402_RESPONSE_HEADER = 'PAYMENT-RESPONSE';

/** CAIP-2 bip122 ids: the first 32 hex digits of each chain's genesis block hash. */
const CAIP2: Record<string, Network> = {
  'bip122:000000000019d6689c085ae165831e93': 'bitcoin',
  'bip122:000000000933ea01ad0ee984209779ba': 'testnet',
  'bip122:00000008819873e925422c1ff0f99f7c': 'signet',
  'bip122:0f9188f13cb7b2c71f2a335e3a4fc328': 'regtest',
};
const ALBY: Record<string, Network> = {
  'lightning:mainnet': 'bitcoin',
  'lightning:testnet': 'testnet',
  'lightning:signet': 'signet',
  'lightning:regtest': 'regtest',
};

export interface X402Offer {
  /** 'spec' = CAIP-2 + extra.paymentMethod; 'alby' = `lightning:<net>`. */
  readonly dialect: 'spec' | 'alby';
  readonly network: Network;
  readonly invoice: string;
  /** The spec's `amount` (msat) when sent. */
  readonly amountMsat?: bigint;
  readonly maxTimeoutSeconds?: number;
  /** As received, sent back unchanged. */
  readonly accepted: Readonly<Record<string, unknown>>;
  readonly resource?: Readonly<Record<string, unknown>>;
}

/** Longer than any real requirements list; bounds the work a hostile header can ask for. */
const MAX_HEADER_CHARS = 64 * 1024;
const MSAT_DECIMAL = /^[1-9][0-9]{0,20}$/;

/** One `accepts` entry → a Lightning offer, or why it is not one. */
function offerFrom(e: unknown, resource: Record<string, unknown> | undefined): X402Offer | string {
  if (!isObject(e)) return 'accepts entry is not an object';
  if (e.scheme !== 'exact') return `scheme ${String(e.scheme)} is not exact`;
  const network = e.network;
  if (typeof network !== 'string') return 'network is not a string';
  const extra = e.extra;
  let dialect: X402Offer['dialect'];
  let net: Network | undefined;
  if (Object.hasOwn(ALBY, network)) {
    dialect = 'alby';
    net = ALBY[network];
  } else if (Object.hasOwn(CAIP2, network)) {
    dialect = 'spec';
    net = CAIP2[network];
    if (!isObject(extra) || extra.paymentMethod !== 'lightning') return `network ${network} without extra.paymentMethod=lightning`;
  } else return `network ${network} is not Lightning`;
  if (!isObject(extra) || typeof extra.invoice !== 'string' || extra.invoice === '') return 'extra.invoice missing';
  let amountMsat: bigint | undefined;
  if (dialect === 'spec') {
    if (typeof e.amount !== 'string' || !MSAT_DECIMAL.test(e.amount)) return `amount is not a msat amount: ${String(e.amount)}`;
    amountMsat = BigInt(e.amount);
  }
  const t = e.maxTimeoutSeconds;
  if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t) || t <= 0)) return `maxTimeoutSeconds ${String(t)}`;
  return {
    dialect,
    network: net as Network,
    invoice: extra.invoice,
    ...(amountMsat !== undefined && { amountMsat }),
    ...(typeof t === 'number' && { maxTimeoutSeconds: t }),
    accepted: e,
    ...(resource && { resource }),
  };
}

export interface X402Parsed {
  readonly offers: readonly X402Offer[];
  /** Why each other entry was passed over (other chains, malformed Lightning entries). */
  readonly skipped: readonly string[];
}

/** Reads a `PAYMENT-REQUIRED` header value; throws L402_CHALLENGE_INVALID if it is not x402 v2 JSON. */
export function parsePaymentRequired(value: string): X402Parsed {
  if (typeof value !== 'string') throw fail('PAYMENT-REQUIRED is not a string', typeof value);
  const v = value.trim();
  if (v.length > MAX_HEADER_CHARS) throw fail('PAYMENT-REQUIRED too long', v.length);
  const bytes = base64ToBytes(v);
  if (bytes === undefined) throw fail('PAYMENT-REQUIRED is not base64', v);
  const text = utf8(bytes);
  const o = text === undefined ? undefined : parseJson(text);
  if (!isObject(o)) throw fail('PAYMENT-REQUIRED is not a JSON object', text ?? v);
  if (o.x402Version !== undefined && o.x402Version !== 2) throw fail('x402Version', o.x402Version);
  if (!Array.isArray(o.accepts)) throw fail('PAYMENT-REQUIRED has no accepts list');
  const resource = isObject(o.resource) ? o.resource : undefined;
  const offers: X402Offer[] = [];
  const skipped: string[] = [];
  for (const e of o.accepts) {
    const r = offerFrom(e, resource);
    if (typeof r === 'string') skipped.push(r);
    else offers.push(r);
  }
  return { offers, skipped };
}

/** The `PAYMENT-SIGNATURE` value for a paid offer (see the header comment for the shape). */
export function x402PaymentSignature(offer: X402Offer, preimage: string): string {
  const p = hex32(preimage);
  if (p === undefined) throw err('L402_HASH_MISMATCH', 'preimage is not 32 bytes of hex', preimage);
  const body = {
    x402Version: 2,
    scheme: offer.accepted.scheme,
    network: offer.accepted.network,
    ...(offer.resource && { resource: offer.resource }),
    accepted: offer.accepted,
    payload: { invoice: offer.invoice, preimage: p },
  };
  return bytesToBase64(utf8Bytes(JSON.stringify(body)));
}

export interface X402Settlement {
  readonly success: boolean;
  readonly transaction?: string;
  readonly network?: string;
  readonly payer?: string;
}

/** Reads a `PAYMENT-RESPONSE` header value. */
export function decodePaymentResponse(value: string): X402Settlement {
  const bytes = typeof value === 'string' ? base64ToBytes(value.trim()) : undefined;
  const text = bytes && utf8(bytes);
  const o = text === undefined ? undefined : parseJson(text);
  if (!isObject(o) || typeof o.success !== 'boolean') throw fail('PAYMENT-RESPONSE is not a settlement', value);
  const str = (k: string) => (typeof o[k] === 'string' ? { [k]: o[k] as string } : {});
  return { success: o.success, ...str('transaction'), ...str('network'), ...str('payer') };
}
