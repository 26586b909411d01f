/**
 * What a node does when its lnd or tapd (or the control API) asks it to add an invoice or to pay,
 * with lnd's argument checks and error texts. Shared by lnd-rest, tapd-rest and control.
 */
import { checkPayable, decodeInvoice, type Invoice } from '../src/bolt11/index.ts';
import { fromHex, sha256Bytes, toHex } from './codec.ts';
import { encodeInvoice, type InvoiceField } from './bolt11-encode.ts';
import { InvoiceError, type AssetReceipt, type InvoiceRecord } from './invoices.ts';
import { INVOICE_FEATURES } from './lnd-json.ts';
import { otherSide, sideOf, type Network } from './network.ts';
import type { SimNode } from './node.ts';
import { Code, RpcError } from './http.ts';
import type { AssetDef } from './assets.ts';
import type { RfqDesk } from './rfq.ts';
import type { AssetLastLeg, AssetSpend } from './pathfinding.ts';
import { PaymentExistsError, type PaymentRecord } from './payments.ts';
import { startPayment, type RouterConfig } from './router.ts';

/** Everything the APIs share. */
export interface Sim {
  readonly net: Network;
  readonly asset: AssetDef;
  /** The RFQ rate and the quotes peers accepted. */
  readonly rfq: RfqDesk;
  readonly router: RouterConfig;
  /** Length of one second of payment timeout (`timeout_seconds`), so tests can shrink it. */
  readonly secondMs: number;
}

const DEFAULT_EXPIRY = 86_400;
const MAX_EXPIRY = 365 * 86_400;
/** lnd's default final CLTV delta for its invoices, and the minimum it accepts. */
const DEFAULT_CLTV_EXPIRY = 80;
const MIN_CLTV_EXPIRY = 18;
const MAX_MEMO = 1024;

export const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

export interface InvoiceRequest {
  readonly valueMsat: number;
  readonly memo: string;
  readonly descriptionHash?: Uint8Array;
  readonly expiry: number;
  readonly cltvExpiry: number;
  readonly private: boolean;
  /** Hold invoice: only the hash is known. */
  readonly hash?: Uint8Array;
  readonly preimage?: Uint8Array;
  readonly asset?: AssetReceipt;
}

const invalid = (msg: string): never => {
  throw new RpcError(Code.Unknown, msg);
};

/** lnd AddInvoice / AddHoldInvoice. */
export function addInvoice(sim: Sim, node: SimNode, r: InvoiceRequest): InvoiceRecord {
  if (r.valueMsat < 0) invalid('payment of negative value is not allowed');
  if (r.memo.length > MAX_MEMO) invalid(`memo too large: ${r.memo.length} bytes (maxsize=${MAX_MEMO})`);
  if (r.descriptionHash && r.descriptionHash.length > 0 && r.descriptionHash.length !== 32) {
    invalid(`invalid description_hash length: ${r.descriptionHash.length}, must be 32`);
  }
  if (r.expiry < 0) invalid('expiry must be positive');
  if (r.expiry > MAX_EXPIRY) invalid(`expiry of ${r.expiry} seconds greater than max allowed ${MAX_EXPIRY}`);
  const cltv = r.cltvExpiry || DEFAULT_CLTV_EXPIRY;
  if (cltv < MIN_CLTV_EXPIRY) invalid(`CLTV delta of ${cltv} is too low, minimum is ${MIN_CLTV_EXPIRY}`);
  if (r.preimage && r.preimage.length > 0 && r.preimage.length !== 32) invalid('payment preimage must be exactly 32 bytes');
  if (r.hash && r.hash.length !== 32) invalid('payment hash must be exactly 32 bytes');

  const preimage = r.hash ? undefined : r.preimage && r.preimage.length === 32 ? r.preimage : randomBytes(32);
  const hash = r.hash ?? sha256Bytes(preimage!);
  const paymentAddr = randomBytes(32);
  const now = sim.net.nowSec();
  const expiry = r.expiry || DEFAULT_EXPIRY;
  const descriptionHash = r.descriptionHash && r.descriptionHash.length === 32 ? r.descriptionHash : undefined;
  const fields: InvoiceField[] = [
    { type: 'p', paymentHash: hash },
    descriptionHash ? { type: 'h', descriptionHash } : { type: 'd', description: r.memo },
    { type: 'c', minFinalCltvExpiryDelta: cltv },
    { type: 'x', expirySeconds: expiry },
    { type: 's', paymentSecret: paymentAddr },
    { type: '9', features: INVOICE_FEATURES },
  ];
  const paymentRequest = encodeInvoice(
    { currency: 'bcrt', amountMsat: r.valueMsat > 0 ? BigInt(r.valueMsat) : undefined, timestamp: now, fields },
    node.key.secret,
  );
  try {
    return node.invoices.add({
      hash,
      preimage,
      memo: r.memo,
      descriptionHash,
      valueMsat: r.valueMsat,
      creationDate: now,
      paymentRequest,
      expiry,
      cltvExpiry: cltv,
      private: r.private,
      paymentAddr,
      hold: r.hash !== undefined,
      asset: r.asset,
    });
  } catch (e) {
    if (e instanceof InvoiceError) throw new RpcError(Code.Unknown, e.message);
    throw e;
  }
}

export interface PayRequest {
  readonly paymentRequest: string;
  readonly dest: Uint8Array;
  readonly amtMsat: number;
  readonly hash: Uint8Array;
  readonly paymentAddr: Uint8Array;
  readonly finalCltvDelta: number;
  readonly feeLimitMsat: number;
  readonly timeoutSeconds: number;
  readonly cltvLimit: number;
  readonly destCustomRecords: Readonly<Record<string, Uint8Array>>;
  readonly firstHopCustomRecords: Readonly<Record<string, Uint8Array>>;
  readonly outgoingChanIds: readonly bigint[];
  readonly spend?: AssetSpend & { readonly rfqId: Uint8Array };
}

export const emptyPayRequest: PayRequest = {
  paymentRequest: '',
  dest: new Uint8Array(0),
  amtMsat: 0,
  hash: new Uint8Array(0),
  paymentAddr: new Uint8Array(0),
  finalCltvDelta: 0,
  feeLimitMsat: 0,
  timeoutSeconds: 0,
  cltvLimit: 0,
  destCustomRecords: {},
  firstHopCustomRecords: {},
  outgoingChanIds: [],
};

const DEFAULT_TIMEOUT_SECONDS = 60;
/** Final CLTV delta of payments without an invoice (keysend), as lnd's router defaults it. */
const SPONTANEOUS_FINAL_CLTV_DELTA = 40;
const CUSTOM_RECORD_MIN = 65_536n;

/** What routerrpc.SendPaymentV2 resolves from its request before routing. */
export interface ResolvedPayment {
  readonly dest: string;
  readonly hash: Uint8Array;
  readonly amountMsat: number;
  readonly paymentAddr?: Uint8Array;
  readonly finalCltvDelta: number;
}

export function resolvePayment(sim: Sim, r: PayRequest): ResolvedPayment {
  if (r.paymentRequest === '') {
    if (r.dest.length !== 33) invalid(`invalid vertex length of ${r.dest.length}`);
    if (r.amtMsat <= 0) invalid('amount must be greater than zero');
    if (r.hash.length !== 32) invalid('payment hash must be exactly 32 bytes');
    return {
      dest: toHex(r.dest),
      hash: r.hash,
      amountMsat: r.amtMsat,
      paymentAddr: r.paymentAddr.length === 32 ? r.paymentAddr : undefined,
      finalCltvDelta: r.finalCltvDelta || SPONTANEOUS_FINAL_CLTV_DELTA,
    };
  }
  let d;
  try {
    d = readPaymentRequest(r.paymentRequest);
  } catch (e) {
    return invalid(`invalid payment request: ${(e as Error).message}`);
  }
  if (d.network !== 'regtest') invalid("invoice not for current active network 'regtest'");
  if (sim.net.nowSec() >= d.expiresAt) invalid(`invoice expired. Valid until ${new Date(d.expiresAt * 1000).toISOString()}`);
  if (d.amountMsat !== null && r.amtMsat !== 0) invalid('amount must not be specified when paying a non-zero amount invoice');
  if (d.amountMsat === null && r.amtMsat === 0) invalid('amount must be specified when paying a zero amount invoice');
  return {
    dest: d.payee,
    hash: fromHex(d.paymentHash),
    amountMsat: d.amountMsat !== null ? Number(d.amountMsat) : r.amtMsat,
    paymentAddr: d.paymentSecret === undefined ? undefined : fromHex(d.paymentSecret),
    finalCltvDelta: d.minFinalCltvExpiry,
  };
}

/**
 * A payment request as lnd reads it: the wallet core's decoder (signature checked) and its
 * "MUST fail the payment" rules, plus lnd's own that a description or its hash is present.
 */
export function readPaymentRequest(paymentRequest: string): Invoice {
  const inv = decodeInvoice(paymentRequest);
  checkPayable(inv);
  if (inv.description === undefined && inv.descriptionHash === undefined) throw new Error('bolt11: missing description and description hash');
  return inv;
}

/** routerrpc.SendPaymentV2 up to the point where the payment runs on its own. */
export function pay(sim: Sim, payer: SimNode, r: PayRequest): PaymentRecord {
  for (const k of [...Object.keys(r.destCustomRecords), ...Object.keys(r.firstHopCustomRecords)]) {
    if (BigInt(k) < CUSTOM_RECORD_MIN) invalid(`invalid custom records: custom record type ${k} is below ${CUSTOM_RECORD_MIN}`);
  }
  const res = resolvePayment(sim, r);
  const dest = sim.net.nodeByPubkey(res.dest);
  const timeoutSeconds = r.timeoutSeconds > 0 ? r.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
  try {
    return startPayment(
      sim.net,
      payer,
      {
        hash: res.hash,
        amountMsat: res.amountMsat,
        dest,
        paymentAddr: res.paymentAddr,
        finalCltvDelta: res.finalCltvDelta,
        feeLimitMsat: r.feeLimitMsat,
        cltvLimit: r.cltvLimit,
        timeoutMs: timeoutSeconds * sim.secondMs,
        paymentRequest: r.paymentRequest,
        destCustomRecords: r.destCustomRecords,
        firstHopCustomRecords: r.firstHopCustomRecords,
        outgoingChanIds: r.outgoingChanIds,
        spend: r.spend,
        lastLeg: dest && assetLastLeg(sim.net, dest, res.hash),
      },
      sim.router,
    );
  } catch (e) {
    if (e instanceof PaymentExistsError) throw new RpcError(Code.AlreadyExists, e.message);
    throw e;
  }
}

/**
 * For an invoice made through tapd the route must end over the payee's asset channel with the
 * peer that quoted it (real invoices carry this as a route hint to the peer's alias SCID).
 */
function assetLastLeg(net: Network, dest: SimNode, hash: Uint8Array): AssetLastLeg | undefined {
  const receipt = dest.invoices.get(toHex(hash), net.nowSec())?.asset;
  if (!receipt) return undefined;
  const channel = net
    .channelsOf(dest.name)
    .find((c) => c.asset?.def.assetId === receipt.assetId && c.sides[otherSide(sideOf(c, dest.name))].node === receipt.peer);
  return channel && { channel, from: otherSide(sideOf(channel, dest.name)), units: receipt.units };
}

/** invoicesrpc.SettleInvoice / CancelInvoice, with lnd's error texts. */
export function settleInvoice(sim: Sim, node: SimNode, preimage: Uint8Array): InvoiceRecord {
  if (preimage.length !== 32) invalid('preimage must be exactly 32 bytes');
  return invoiceCall(() => node.invoices.settle(preimage, sim.net.nowSec()));
}

export function cancelInvoice(sim: Sim, node: SimNode, hash: Uint8Array): InvoiceRecord {
  if (hash.length !== 32) invalid('payment hash must be exactly 32 bytes');
  return invoiceCall(() => node.invoices.cancel(toHex(hash), sim.net.nowSec()));
}

function invoiceCall(f: () => InvoiceRecord): InvoiceRecord {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvoiceError) throw new RpcError(Code.Unknown, e.message);
    throw e;
  }
}
