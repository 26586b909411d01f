/**
 * LightningNode over lnd's REST API (grpc-gateway). Endpoints:
 *
 * | method              | endpoint                                      |
 * | ------------------- | --------------------------------------------- |
 * | getInfo             | GET  /v1/getinfo                              |
 * | getWalletState      | GET  /v1/state                                |
 * | getBalances         | GET  /v1/balance/blockchain, /v1/balance/channels |
 * | createInvoice       | POST /v1/invoices                             |
 * | createHoldInvoice   | POST /v2/invoices/hodl                        |
 * | settleHoldInvoice   | POST /v2/invoices/settle                      |
 * | cancelHoldInvoice   | POST /v2/invoices/cancel                      |
 * | lookupInvoice       | GET  /v2/invoices/lookup?payment_hash=        |
 * | decodePayReq        | GET  /v1/payreq/{pay_req}                     |
 * | payInvoice, keysend | POST /v2/router/send (stream)                 |
 * | trackPayment        | GET  /v2/router/track/{payment_hash} (stream) |
 * | trackPayments       | GET  /v2/router/payments (stream)             |
 * | signMessage         | POST /v1/signmessage                          |
 * | verifyMessage       | POST /v1/verifymessage                        |
 * | listPayments        | GET  /v1/payments                             |
 * | listInvoices        | GET  /v1/invoices                             |
 */
import { base64 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { z } from '../base/zod.ts';
import { moduleErrors, SatnavError } from '../errors.ts';
import { DEFAULT_TIMEOUT_MS, restCall, restStream, type HttpMethod, type RestConfig } from './http.ts';
import type {
  AssetChannelBalance,
  LndBalances,
  CreatedInvoice,
  CreateInvoiceParams,
  HoldInvoiceParams,
  InvoiceStatus,
  KeysendParams,
  LightningNode,
  NodeInfo,
  NodeNetwork,
  NodePayReq,
  PayInvoiceParams,
  PaymentResult,
  PaymentUpdate,
  PayOptions,
  WalletState,
} from './types.ts';
import { checkNetwork } from './network-check.ts';
import {
  assertCltvLimit,
  assertHex,
  assertSats,
  b64Hex,
  consumePayments,
  finalUpdateOnly,
  customRecordsWire,
  DEFAULT_PAYMENT_TIMEOUT_S,
  hexToB64,
  hexToB64url,
  int64,
  paymentWire,
  streamTimeoutMs,
  toPaymentResult,
  toSats,
} from './wire.ts';

const error = moduleErrors('node');

/** TLV type lnd reads a keysend preimage from. */
const KEYSEND_RECORD = '5482373484';

const NETWORKS = ['mainnet', 'testnet', 'testnet4', 'signet', 'regtest', 'simnet'] as const;

// Responses: the fields we read.
const getInfoRes = z.object({
  alias: z._default(z.string(), ''),
  identity_pubkey: z.string().check(z.regex(/^[0-9a-f]{66}$/)),
  block_height: z._default(z.int(), 0),
  synced_to_chain: z._default(z.boolean(), false),
  version: z._default(z.string(), ''),
  chains: z.array(z.object({ chain: z.string(), network: z.enum(NETWORKS) })).check(z.minLength(1)),
});
const stateRes = z.object({
  state: z._default(z.enum(['NON_EXISTING', 'LOCKED', 'UNLOCKED', 'RPC_ACTIVE', 'SERVER_ACTIVE', 'WAITING_TO_START']), 'NON_EXISTING'),
});
const walletBalanceRes = z.object({ confirmed_balance: int64, unconfirmed_balance: int64 });
const amount = z.pipe(
  z.nullish(z.object({ sat: int64 })),
  z.transform((a) => a?.sat ?? 0n),
);
const channelBalanceRes = z.object({
  local_balance: amount,
  remote_balance: amount,
  pending_open_local_balance: amount,
  unsettled_local_balance: amount,
  custom_channel_data: b64Hex,
});
const addInvoiceRes = z.object({ r_hash: b64Hex, payment_request: z.string().check(z.minLength(1)) });
const holdInvoiceRes = z.object({ payment_request: z.string().check(z.minLength(1)) });
const empty = z.object({});
const invoiceRes = z.object({
  memo: z._default(z.string(), ''),
  r_preimage: b64Hex,
  r_hash: b64Hex,
  value_msat: int64,
  creation_date: int64,
  settle_date: int64,
  expiry: int64,
  payment_request: z._default(z.string(), ''),
  amt_paid_msat: int64,
  state: z._default(z.enum(['OPEN', 'SETTLED', 'CANCELED', 'ACCEPTED']), 'OPEN'),
  is_keysend: z._default(z.boolean(), false),
});
const payReqRes = z.object({
  destination: z.string(),
  payment_hash: z.string(),
  num_msat: int64,
  timestamp: int64,
  expiry: int64,
  description: z._default(z.string(), ''),
  description_hash: z._default(z.string(), ''),
  cltv_expiry: int64,
});
const signRes = z.object({ signature: z.string().check(z.minLength(1)) });
const verifyRes = z.object({ valid: z._default(z.boolean(), false), pubkey: z._default(z.string(), '') });
const listPaymentsRes = z.object({ payments: z.nullish(z.array(paymentWire)) });
const listInvoicesRes = z.object({ invoices: z.nullish(z.array(invoiceRes)) });

// litd's custom_channel_data JSON: asset balances held in channels, keyed by asset id or listed.
const assetAmount = z.pipe(
  z.union([z.string().check(z.regex(/^[0-9]+$/)), z.int().check(z.nonnegative())]),
  z.transform((v) => BigInt(v)),
);
const assetChannelEntry = z.object({
  asset_id: z.optional(z.string()),
  group_key: z.optional(z.string()),
  name: z._default(z.string(), ''),
  local_balance: z._default(assetAmount, 0n),
  remote_balance: z._default(assetAmount, 0n),
});
const entries = z.pipe(
  z.nullish(z.union([z.array(assetChannelEntry), z.record(z.string(), assetChannelEntry)])),
  z.transform((v) => (v ? (Array.isArray(v) ? v : Object.values(v)) : [])),
);
const customChannelData = z.object({ open_channels: entries, pending_channels: entries });

export type LndRestOptions = RestConfig;

export class LndRest implements LightningNode {
  constructor(private readonly cfg: LndRestOptions) {}

  private call<T>(method: HttpMethod, path: string, body: unknown, schema: z.ZodMiniType<T>): Promise<T> {
    return restCall(this.cfg, method, path, body, schema);
  }

  async getInfo(): Promise<NodeInfo> {
    const r = await this.call('GET', '/v1/getinfo', undefined, getInfoRes);
    const network = (r.chains.find((c) => c.chain === 'bitcoin') ?? r.chains[0])?.network;
    if (!network) throw error('NODE_BAD_RESPONSE', 'getinfo without a chain');
    return {
      alias: r.alias,
      pubkey: r.identity_pubkey,
      network,
      blockHeight: r.block_height,
      synced: r.synced_to_chain,
      version: r.version,
    };
  }

  async checkNetwork(expected: NodeNetwork): Promise<NodeInfo> {
    const info = await this.getInfo();
    checkNetwork(info.network, expected);
    return info;
  }

  async getWalletState(): Promise<WalletState> {
    return (await this.call('GET', '/v1/state', undefined, stateRes)).state;
  }

  async getBalances(): Promise<LndBalances> {
    const [chain, channels] = await Promise.all([
      this.call('GET', '/v1/balance/blockchain', undefined, walletBalanceRes),
      this.call('GET', '/v1/balance/channels', undefined, channelBalanceRes),
    ]);
    return {
      onchain: {
        confirmedSat: toSats(chain.confirmed_balance, 'confirmed_balance'),
        unconfirmedSat: toSats(chain.unconfirmed_balance, 'unconfirmed_balance'),
      },
      lightning: {
        localSat: toSats(channels.local_balance, 'local_balance'),
        remoteSat: toSats(channels.remote_balance, 'remote_balance'),
        pendingOpenLocalSat: toSats(channels.pending_open_local_balance, 'pending_open_local_balance'),
        unsettledLocalSat: toSats(channels.unsettled_local_balance, 'unsettled_local_balance'),
      },
      assetChannels: parseAssetChannels(channels.custom_channel_data),
    };
  }

  async createInvoice(p: CreateInvoiceParams): Promise<CreatedInvoice> {
    if (p.amountSat !== undefined && p.amountMsat !== undefined) {
      throw error('NODE_BAD_INPUT', 'give amountSat or amountMsat, not both');
    }
    if (p.amountMsat !== undefined && p.amountMsat < 0n) throw error('NODE_BAD_INPUT', 'amountMsat', p.amountMsat.toString());
    const body = {
      memo: p.memo ?? '',
      ...(p.amountSat !== undefined && { value: String(assertSats(p.amountSat, 'amountSat')) }),
      ...(p.amountMsat !== undefined && { value_msat: p.amountMsat.toString() }),
      ...(p.descriptionHash !== undefined && { description_hash: hexToB64(assertHex(p.descriptionHash, 32, 'descriptionHash')) }),
      ...(p.expirySeconds !== undefined && { expiry: String(assertSats(p.expirySeconds, 'expirySeconds')) }),
      ...(p.private !== undefined && { private: p.private }),
    };
    const r = await this.call('POST', '/v1/invoices', body, addInvoiceRes);
    return { paymentRequest: r.payment_request, paymentHash: r.r_hash };
  }

  async createHoldInvoice(p: HoldInvoiceParams): Promise<CreatedInvoice> {
    const paymentHash = assertHex(p.paymentHash, 32, 'paymentHash');
    const body = {
      hash: hexToB64(paymentHash),
      value: String(assertSats(p.amountSat, 'amountSat')),
      expiry: String(assertSats(p.expirySeconds, 'expirySeconds')),
      cltv_expiry: String(assertSats(p.cltvExpiry, 'cltvExpiry')),
      memo: p.memo ?? '',
      ...(p.descriptionHash !== undefined && { description_hash: hexToB64(assertHex(p.descriptionHash, 32, 'descriptionHash')) }),
    };
    const r = await this.call('POST', '/v2/invoices/hodl', body, holdInvoiceRes);
    return { paymentRequest: r.payment_request, paymentHash };
  }

  async settleHoldInvoice(preimage: string): Promise<void> {
    await this.call('POST', '/v2/invoices/settle', { preimage: hexToB64(assertHex(preimage, 32, 'preimage')) }, empty);
  }

  async cancelHoldInvoice(paymentHash: string): Promise<void> {
    await this.call('POST', '/v2/invoices/cancel', { payment_hash: hexToB64(assertHex(paymentHash, 32, 'paymentHash')) }, empty);
  }

  async lookupInvoice(paymentHash: string): Promise<InvoiceStatus> {
    const q = encodeURIComponent(hexToB64(assertHex(paymentHash, 32, 'paymentHash')));
    return toInvoiceStatus(await this.call('GET', `/v2/invoices/lookup?payment_hash=${q}`, undefined, invoiceRes));
  }

  async decodePayReq(paymentRequest: string): Promise<NodePayReq> {
    const pr = paymentRequest.trim().replace(/^lightning:/i, '');
    if (!/^[a-z0-9]+$/i.test(pr)) throw error('NODE_BAD_INPUT', 'payment request', paymentRequest);
    const r = await this.call('GET', `/v1/payreq/${pr}`, undefined, payReqRes);
    return {
      destination: r.destination,
      paymentHash: r.payment_hash,
      amountMsat: r.num_msat,
      timestamp: Number(r.timestamp),
      expirySeconds: Number(r.expiry),
      description: r.description,
      ...(r.description_hash && { descriptionHash: r.description_hash }),
      cltvExpiry: Number(r.cltv_expiry),
    };
  }

  async payInvoice(p: PayInvoiceParams, onUpdate?: PaymentUpdate): Promise<PaymentResult> {
    const body = {
      payment_request: p.paymentRequest.trim().replace(/^lightning:/i, ''),
      ...(p.amountSat !== undefined && { amt: String(assertSats(p.amountSat, 'amountSat')) }),
      ...(p.customRecords && { dest_custom_records: customRecordsWire(p.customRecords, 'base64') }),
      ...(p.cltvLimit !== undefined && { cltv_limit: assertCltvLimit(p.cltvLimit) }),
    };
    return this.send(body, p, onUpdate);
  }

  async keysend(p: KeysendParams, onUpdate?: PaymentUpdate): Promise<PaymentResult> {
    const dest = assertHex(p.destPubkey, 33, 'destPubkey');
    const preimage = p.preimage === undefined ? crypto.getRandomValues(new Uint8Array(32)) : hexToBytes(assertHex(p.preimage, 32, 'preimage'));
    const records = customRecordsWire(p.customRecords ?? {}, 'base64');
    records[KEYSEND_RECORD] = base64.encode(preimage);
    const body = {
      dest: hexToB64(dest),
      amt: String(assertSats(p.amountSat, 'amountSat')),
      payment_hash: base64.encode(sha256(preimage)),
      dest_custom_records: records,
    };
    return this.send(body, p, onUpdate);
  }

  /** POST /v2/router/send with the fee limit and timeout always set. */
  private send(
    body: Record<string, unknown>,
    p: PayOptions & { feeLimitSat: number },
    onUpdate?: PaymentUpdate,
  ): Promise<PaymentResult> {
    const timeoutSeconds = p.timeoutSeconds ?? DEFAULT_PAYMENT_TIMEOUT_S;
    const req = {
      ...body,
      fee_limit_sat: String(assertSats(p.feeLimitSat, 'feeLimitSat')),
      timeout_seconds: assertSats(timeoutSeconds, 'timeoutSeconds'),
      no_inflight_updates: finalUpdateOnly(p, onUpdate),
    };
    const updates = restStream(this.cfg, 'POST', '/v2/router/send', req, paymentWire, { timeoutMs: streamTimeoutMs(timeoutSeconds, this.cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    return consumePayments(updates, p.waitFinal ?? true, onUpdate);
  }

  async trackPayment(paymentHash: string, opts: PayOptions = {}): Promise<PaymentResult> {
    const hash = hexToB64url(assertHex(paymentHash, 32, 'paymentHash'));
    const path = `/v2/router/track/${encodeURIComponent(hash)}?no_inflight_updates=false`;
    const updates = restStream(this.cfg, 'GET', path, undefined, paymentWire, {
      timeoutMs: streamTimeoutMs(opts.timeoutSeconds ?? DEFAULT_PAYMENT_TIMEOUT_S, this.cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    try {
      return await consumePayments(updates, opts.waitFinal ?? true);
    } catch (e) {
      // lnd: "payment isn't initiated" (gRPC NotFound): the node never saw this payment.
      if (e instanceof SatnavError && e.code === 'NODE_RPC' && (e.details?.grpcCode === 5 || /not initiated|isn't initiated|not found/i.test(e.message))) {
        throw error('NODE_PAYMENT_NOT_FOUND', 'payment unknown to the node', paymentHash);
      }
      throw e;
    }
  }

  async trackPayments(onFinal: PaymentUpdate, opts: { idleTimeoutMs: number }): Promise<void> {
    // Final updates only: one connection watches every payment (a browser allows six per host).
    const updates = restStream(this.cfg, 'GET', '/v2/router/payments?no_inflight_updates=true', undefined, paymentWire, { timeoutMs: opts.idleTimeoutMs });
    for await (const wire of updates) if (wire) onFinal(toPaymentResult(wire));
  }

  async signMessage(message: string): Promise<string> {
    const msg = base64.encode(new TextEncoder().encode(message));
    return (await this.call('POST', '/v1/signmessage', { msg }, signRes)).signature;
  }

  async verifyMessage(message: string, signature: string): Promise<{ valid: boolean; pubkey: string }> {
    const msg = base64.encode(new TextEncoder().encode(message));
    const r = await this.call('POST', '/v1/verifymessage', { msg, signature }, verifyRes);
    return { valid: r.valid, pubkey: r.pubkey };
  }

  async listPayments(opts: { maxPayments?: number } = {}): Promise<PaymentResult[]> {
    const max = assertSats(opts.maxPayments ?? 100, 'maxPayments');
    const r = await this.call('GET', `/v1/payments?include_incomplete=true&reversed=true&max_payments=${max}`, undefined, listPaymentsRes);
    return (r.payments ?? []).map(toPaymentResult).reverse();
  }

  async listInvoices(opts: { maxInvoices?: number } = {}): Promise<InvoiceStatus[]> {
    const max = assertSats(opts.maxInvoices ?? 100, 'maxInvoices');
    const r = await this.call('GET', `/v1/invoices?reversed=true&num_max_invoices=${max}`, undefined, listInvoicesRes);
    return (r.invoices ?? []).map(toInvoiceStatus).reverse();
  }
}

function toInvoiceStatus(r: z.infer<typeof invoiceRes>): InvoiceStatus {
  const createdAt = Number(r.creation_date);
  return {
    paymentHash: r.r_hash,
    paymentRequest: r.payment_request,
    memo: r.memo,
    state: r.state,
    amountMsat: r.value_msat,
    amountPaidMsat: r.amt_paid_msat,
    createdAt,
    expiresAt: createdAt + Number(r.expiry),
    ...(r.settle_date > 0n && { settledAt: Number(r.settle_date) }),
    ...(r.r_preimage && { preimage: r.r_preimage }),
    isKeysend: r.is_keysend,
  };
}

/** custom_channel_data bytes are UTF-8 JSON (litd); empty without asset channels. */
export function parseAssetChannels(hex: string): AssetChannelBalance[] {
  if (hex === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(hexToBytes(hex)));
  } catch {
    throw error('NODE_BAD_RESPONSE', 'custom_channel_data is not JSON');
  }
  const r = customChannelData.safeParse(json);
  if (!r.success) throw error('NODE_BAD_RESPONSE', 'custom_channel_data shape', r.error.issues[0]?.message);
  const toBalance = (pending: boolean) => (e: z.infer<typeof assetChannelEntry>) => ({
    ...(e.asset_id && { assetId: e.asset_id }),
    ...(e.group_key && { groupKey: e.group_key }),
    name: e.name,
    localAmount: e.local_balance,
    remoteAmount: e.remote_balance,
    pending,
  });
  return [...r.data.open_channels.map(toBalance(false)), ...r.data.pending_channels.map(toBalance(true))];
}
