/**
 * The LND REST calls a deposit wall makes, and nothing else: AddHoldInvoice, LookupInvoiceV2,
 * CancelInvoice, SettleInvoice (invoicesrpc) and ListInvoices. Wire encoding as lnd's
 * grpc-gateway speaks it (contracts/lnd/): macaroon hex in `Grpc-Metadata-macaroon`, `bytes`
 * base64 in JSON bodies and URL-safe padded base64 in queries, int64 as decimal strings.
 * An invoice macaroon (invoices read + write) is all it needs.
 */
import { base64, base64url } from '@scure/base';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { moduleErrors } from '../src/errors.ts';

const err = moduleErrors('sitekit-lnd');

export type InvoiceState = 'OPEN' | 'ACCEPTED' | 'SETTLED' | 'CANCELED';
export type HtlcState = 'ACCEPTED' | 'SETTLED' | 'CANCELED';

export interface InvoiceHtlc {
  readonly state: HtlcState;
  /** Unix seconds. */
  readonly acceptTime: number;
  /** TLV type (decimal string) → value. */
  readonly customRecords: Readonly<Record<string, Uint8Array>>;
}

export interface Invoice {
  readonly paymentHash: string;
  readonly memo: string;
  readonly valueMsat: bigint;
  readonly state: InvoiceState;
  readonly addIndex: string;
  readonly htlcs: readonly InvoiceHtlc[];
}

export interface HoldInvoiceRequest {
  /** Hex, 32 bytes. */
  readonly hash: string;
  readonly valueSat: number;
  readonly memo: string;
  readonly expirySeconds: number;
  /** Final CLTV delta in blocks (the invoice's min_final_cltv_expiry). */
  readonly cltvExpiry: number;
}

export interface InvoicePage {
  readonly invoices: readonly Invoice[];
  /** Where the next page starts (`index_offset`). */
  readonly lastIndexOffset: string;
}

export interface LndOptions {
  /** REST base URL, e.g. `https://127.0.0.1:8080`. */
  readonly url: string;
  /** Macaroon, hex. */
  readonly macaroon: string;
  /** Defaults to the global fetch; pass one that trusts the node's certificate (sitekit/README.md). */
  readonly fetch?: typeof globalThis.fetch;
  readonly timeoutMs?: number;
}

export interface Lnd {
  addHoldInvoice(r: HoldInvoiceRequest): Promise<{ paymentRequest: string }>;
  /** null when the node knows no invoice for the hash. */
  lookupInvoice(paymentHash: string): Promise<Invoice | null>;
  cancelInvoice(paymentHash: string): Promise<void>;
  settleInvoice(preimage: string): Promise<void>;
  listInvoices(q: { pendingOnly: boolean; indexOffset: string; max: number }): Promise<InvoicePage>;
}

const STATES = new Set(['OPEN', 'ACCEPTED', 'SETTLED', 'CANCELED']);
const HTLC_STATES = new Set(['ACCEPTED', 'SETTLED', 'CANCELED']);
const UINT = /^[0-9]{1,20}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field<T>(o: Json, name: string, ok: (v: unknown) => v is T): T {
  const v = o[name];
  if (!ok(v)) throw err('NODE_BAD_RESPONSE', `unexpected ${name}`, v);
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isUint = (v: unknown): v is string => typeof v === 'string' && UINT.test(v);

function bytesOf(v: string, name: string): Uint8Array {
  try {
    return base64.decode(v);
  } catch {
    throw err('NODE_BAD_RESPONSE', `${name} is not base64`, v);
  }
}

function htlcOf(v: unknown): InvoiceHtlc {
  if (!isObject(v)) throw err('NODE_BAD_RESPONSE', 'htlc is not an object', v);
  const state = field(v, 'state', isString);
  if (!HTLC_STATES.has(state)) throw err('NODE_BAD_RESPONSE', 'htlc state', state);
  const records = v['custom_records'] ?? {};
  if (!isObject(records)) throw err('NODE_BAD_RESPONSE', 'custom_records', records);
  const customRecords: Record<string, Uint8Array> = {};
  for (const [k, r] of Object.entries(records)) {
    if (!isString(r)) throw err('NODE_BAD_RESPONSE', 'custom record value', r);
    customRecords[k] = bytesOf(r, `custom record ${k}`);
  }
  return { state: state as HtlcState, acceptTime: Number(field(v, 'accept_time', isUint)), customRecords };
}

/** lnrpc.Invoice as this kit needs it; anything else in it is ignored. */
export function invoiceOf(v: unknown): Invoice {
  if (!isObject(v)) throw err('NODE_BAD_RESPONSE', 'invoice is not an object', v);
  const state = field(v, 'state', isString);
  if (!STATES.has(state)) throw err('NODE_BAD_RESPONSE', 'invoice state', state);
  const hash = bytesOf(field(v, 'r_hash', isString), 'r_hash');
  if (hash.length !== 32) throw err('NODE_BAD_RESPONSE', 'r_hash length', hash.length);
  const htlcs = v['htlcs'] ?? [];
  if (!Array.isArray(htlcs)) throw err('NODE_BAD_RESPONSE', 'htlcs', htlcs);
  return {
    paymentHash: bytesToHex(hash),
    memo: typeof v['memo'] === 'string' ? v['memo'] : '',
    valueMsat: BigInt(field(v, 'value_msat', isUint)),
    state: state as InvoiceState,
    addIndex: field(v, 'add_index', isUint),
    htlcs: htlcs.map(htlcOf),
  };
}

const bytes32 = (hex: string): Uint8Array => {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw err('NODE_BAD_INPUT', 'hash or preimage must be 32 bytes lowercase hex', hex);
  return hexToBytes(hex);
};

export function createLnd(o: LndOptions): Lnd {
  let base: URL;
  try {
    base = new URL(o.url);
  } catch {
    throw err('NODE_CONFIG_INVALID', 'url', o.url);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw err('NODE_CONFIG_INVALID', 'url scheme', o.url);
  if (!/^([0-9a-f]{2})+$/i.test(o.macaroon)) throw err('NODE_CONFIG_INVALID', 'macaroon must be hex');
  const doFetch = o.fetch ?? globalThis.fetch;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const root = o.url.replace(/\/+$/, '');

  async function call(method: 'GET' | 'POST', path: string, body?: Json): Promise<{ status: number; json: Json }> {
    let res: Response;
    try {
      res = await doFetch(`${root}${path}`, {
        method,
        headers: { 'Grpc-Metadata-macaroon': o.macaroon, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') throw err('NODE_TIMEOUT', `${method} ${path} took longer than ms`, timeoutMs);
      throw err('NODE_UNREACHABLE', `${method} ${path}`, (e as Error).message);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw err('NODE_BAD_RESPONSE', `${method} ${path} answered no JSON`, text);
    }
    if (!isObject(json)) throw err('NODE_BAD_RESPONSE', `${method} ${path} answered no object`, text);
    return { status: res.status, json };
  }

  /** grpc-gateway errors are `{code, message}`; lnd answers a bad macaroon with code 2 or 16. */
  function failure(path: string, status: number, json: Json): Error {
    const message = typeof json['message'] === 'string' ? json['message'] : JSON.stringify(json);
    if (status === 401 || status === 403 || /verification failed|macaroon/i.test(message)) return err('NODE_AUTH', path, message);
    return err('NODE_RPC', path, message);
  }

  async function ok(method: 'GET' | 'POST', path: string, body?: Json): Promise<Json> {
    const r = await call(method, path, body);
    if (r.status !== 200) throw failure(path, r.status, r.json);
    return r.json;
  }

  return {
    async addHoldInvoice(r) {
      const json = await ok('POST', '/v2/invoices/hodl', {
        hash: base64.encode(bytes32(r.hash)),
        value: String(r.valueSat),
        memo: r.memo,
        expiry: String(r.expirySeconds),
        cltv_expiry: String(r.cltvExpiry),
      });
      return { paymentRequest: field(json, 'payment_request', isString) };
    },
    async lookupInvoice(paymentHash) {
      const q = encodeURIComponent(base64url.encode(bytes32(paymentHash)));
      const r = await call('GET', `/v2/invoices/lookup?payment_hash=${q}`);
      // By its message: a wrong base URL answers 404 too, and must not read as "no such deposit".
      if (r.status !== 200 && /unable to locate invoice/.test(String(r.json['message']))) return null;
      if (r.status !== 200) throw failure('/v2/invoices/lookup', r.status, r.json);
      return invoiceOf(r.json);
    },
    async cancelInvoice(paymentHash) {
      await ok('POST', '/v2/invoices/cancel', { payment_hash: base64.encode(bytes32(paymentHash)) });
    },
    async settleInvoice(preimage) {
      await ok('POST', '/v2/invoices/settle', { preimage: base64.encode(bytes32(preimage)) });
    },
    async listInvoices(q) {
      const params = new URLSearchParams({ pending_only: String(q.pendingOnly), index_offset: q.indexOffset, num_max_invoices: String(q.max) });
      const json = await ok('GET', `/v1/invoices?${params}`);
      const list = json['invoices'] ?? [];
      if (!Array.isArray(list)) throw err('NODE_BAD_RESPONSE', 'invoices', list);
      return { invoices: list.map(invoiceOf), lastIndexOffset: field(json, 'last_index_offset', isUint) };
    },
  };
}

/** Every invoice, page by page (ListInvoices pages by add index). */
export async function* allInvoices(lnd: Lnd, pendingOnly: boolean, pageSize = 500): AsyncGenerator<Invoice> {
  let offset = '0';
  for (;;) {
    const page = await lnd.listInvoices({ pendingOnly, indexOffset: offset, max: pageSize });
    yield* page.invoices;
    if (page.invoices.length < pageSize || page.lastIndexOffset === offset) return;
    offset = page.lastIndexOffset;
  }
}
