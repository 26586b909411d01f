/**
 * What a text a person pastes (or a link carries) is, before anything is fetched or paid.
 *
 * | input (optionally after `lightning:`)                   | kind      | decoded by            |
 * | ------------------------------------------------------- | --------- | --------------------- |
 * | lnbc…/lntb…/lnbcrt…/lntbs…/lnsb… (BOLT11)               | invoice   | bolt11 (+ checkPayable) |
 * | lnurl1… (LUD-01), lnurlp/lnurlw/lnurlc/keyauth:// (LUD-17), | lnurl | lnurl/decode          |
 * |   https://…?lightning=<one of those> (LUD-01 fallback)   |           |                       |
 * | user@host (LUD-16)                                      | address   | lnurl/decode          |
 * | bitcoin:…?lightning=<one of the above> (BIP21)           | what the parameter is |        |
 *
 * Refused with a reason a person can act on:
 *
 * | input                                            | code                  |
 * | ------------------------------------------------ | --------------------- |
 * | an on-chain address or a `bitcoin:` URI without a Lightning part | PAYMENT_CODE_ONCHAIN |
 * | a BOLT12 offer, invoice request or invoice (lno1/lnr1/lni1) | PAYMENT_CODE_OFFER |
 * | empty, too long, or none of the forms above       | PAYMENT_CODE_UNKNOWN  |
 * | a damaged invoice / LNURL / address               | INVOICE_INVALID / LNURL_INVALID (their decoders' words) |
 *
 * Only shapes are judged here: whether the invoice is on the node's network, unexpired and not
 * paid yet is the payer's admission (payments/admission.ts), what an LNURL offers is its service's answer.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32, bech32m, createBase58check } from '@scure/base';
import { checkPayable, decodeInvoice, type Invoice } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import { decodeLnurl, type Lnurl, type LnurlOptions } from '../lnurl/index.ts';

const error = moduleErrors('payment-code');

export type PaymentCode =
  | { kind: 'invoice'; invoice: Invoice }
  | { kind: 'lnurl'; lnurl: Lnurl }
  | { kind: 'address'; address: string; lnurl: Lnurl };
export type PaymentCodeKind = PaymentCode['kind'];

/** Longer than any invoice (7089) or sensible link: refused before any decoding. */
export const MAX_PAYMENT_CODE_LENGTH = 8192;

const LIGHTNING_PREFIX = /^lightning:(\/\/)?/i;
const BITCOIN_URI = /^bitcoin:/i;
const INVOICE = /^ln(bc|tb|bcrt|tbs|sb)[0-9]*[munp]?1/i;
const BOLT12 = /^ln[oir]1/i;
const LNURL_LINK = /^(lnurl1|(lnurl[pwc]|keyauth):\/\/|https?:\/\/)/i;
const SEGWIT_PREFIXES = new Set(['bc', 'tb', 'bcrt']);
/** Base58 version bytes of P2PKH/P2SH on mainnet and the test networks. */
const BASE58_VERSIONS = new Set([0x00, 0x05, 0x6f, 0xc4]);
const base58check = createBase58check(sha256);

/** Classifies `text`; throws a SatnavError saying what it is instead when it is not payable over Lightning. */
export function classifyPaymentCode(text: string, opts: LnurlOptions = {}): PaymentCode {
  if (typeof text !== 'string') throw error('PAYMENT_CODE_UNKNOWN', 'not text', typeof text);
  const trimmed = text.trim();
  if (trimmed === '') throw error('PAYMENT_CODE_UNKNOWN', 'empty');
  if (trimmed.length > MAX_PAYMENT_CODE_LENGTH) throw error('PAYMENT_CODE_UNKNOWN', 'too long', trimmed.length);
  if (BITCOIN_URI.test(trimmed)) return fromBip21(trimmed, opts);
  return classifyLightning(trimmed.replace(LIGHTNING_PREFIX, ''), opts);
}

function classifyLightning(text: string, opts: LnurlOptions): PaymentCode {
  if (text === '') throw error('PAYMENT_CODE_UNKNOWN', 'empty after lightning:');
  if (INVOICE.test(text)) {
    const invoice = decodeInvoice(text);
    checkPayable(invoice);
    return { kind: 'invoice', invoice };
  }
  if (BOLT12.test(text)) throw error('PAYMENT_CODE_OFFER', 'BOLT12 offers are not supported', text);
  if (LNURL_LINK.test(text)) return { kind: 'lnurl', lnurl: decodeLnurl(text, opts) };
  if (text.includes('@') && !text.includes('/')) {
    const lnurl = decodeLnurl(text, opts);
    // decodeLnurl sets `address` for every address it accepts.
    return { kind: 'address', address: lnurl.address ?? text.toLowerCase(), lnurl };
  }
  if (isOnchainAddress(text)) throw error('PAYMENT_CODE_ONCHAIN', 'on-chain payments are not supported', text);
  throw error('PAYMENT_CODE_UNKNOWN', 'not an invoice, LNURL or lightning address', text);
}

/** BIP21: a unified QR carries its Lightning half in `lightning=`; without one it is on-chain only. */
function fromBip21(uri: string, opts: LnurlOptions): PaymentCode {
  const query = uri.indexOf('?');
  const inner = query < 0 ? null : new URLSearchParams(uri.slice(query + 1)).get('lightning');
  if (inner === null || inner.trim() === '') throw error('PAYMENT_CODE_ONCHAIN', 'on-chain payments are not supported', uri);
  const code = inner.trim().replace(LIGHTNING_PREFIX, '');
  if (BITCOIN_URI.test(code)) throw error('PAYMENT_CODE_UNKNOWN', 'bitcoin: URI inside a bitcoin: URI', uri);
  return classifyLightning(code, opts);
}

/** A segwit (bech32/bech32m) or legacy (base58check) address of a Bitcoin network. */
function isOnchainAddress(text: string): boolean {
  for (const codec of [bech32, bech32m]) {
    try {
      if (SEGWIT_PREFIXES.has(codec.decode(text.toLowerCase() as `${string}1${string}`).prefix)) return true;
    } catch {
      // not this encoding
    }
  }
  try {
    const bytes = base58check.decode(text);
    return bytes.length === 21 && BASE58_VERSIONS.has(bytes[0]!);
  } catch {
    return false;
  }
}
