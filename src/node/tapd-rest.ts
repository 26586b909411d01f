/**
 * AssetNode over tapd's REST API (bytes are hex here, unlike lnd). Endpoints:
 *
 * | method             | endpoint                                                    |
 * | ------------------ | ----------------------------------------------------------- |
 * | getInfo            | GET  /v1/taproot-assets/getinfo                             |
 * | listAssets         | GET  /v1/taproot-assets/assets                              |
 * | getAssetBalances   | GET  /v1/taproot-assets/assets/balance?asset_id=true        |
 * |                    | GET  /v1/taproot-assets/assets/meta/asset-id/{id} (cached)  |
 * | assetMeta          | GET  /v1/taproot-assets/assets/meta/asset-id/{id} (cached)  |
 * | createAssetInvoice | POST /v1/taproot-assets/channels/invoice                    |
 * | payWithAsset       | POST /v1/taproot-assets/channels/send-payment (stream)      |
 * | requestSellQuote   | POST /v1/taproot-assets/rfq/sellorder/group-key/{key}       |
 * |                    | POST /v1/taproot-assets/rfq/sellorder/asset-id/{id}         |
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { z } from '../base/zod.ts';
import { moduleErrors } from '../errors.ts';
import { DEFAULT_TIMEOUT_MS, restCall, restStream, type HttpMethod, type RestConfig } from './http.ts';
import type {
  TapdAssetBalance,
  AssetInfo,
  AssetMeta,
  AssetNode,
  AssetNodeInfo,
  AssetQuote,
  AssetRef,
  CreateAssetInvoiceParams,
  CreatedAssetInvoice,
  PaymentResult,
  PaymentUpdate,
  PayWithAssetParams,
  SellQuoteParams,
} from './types.ts';
import { assertRate } from '../base/asset-rate.ts';
import {
  assertCltvLimit,
  assertHex,
  assertSats,
  consumePayments,
  finalUpdateOnly,
  customRecordsWire,
  DEFAULT_PAYMENT_TIMEOUT_S,
  hexString,
  int64,
  paymentWire,
  streamTimeoutMs,
} from './wire.ts';

const error = moduleErrors('node');

const getInfoRes = z.object({
  version: z._default(z.string(), ''),
  lnd_version: z._default(z.string(), ''),
  network: z._default(z.string(), ''),
  lnd_identity_pubkey: z._default(z.string(), ''),
  node_alias: z._default(z.string(), ''),
  block_height: z._default(z.int(), 0),
  sync_to_chain: z._default(z.boolean(), false),
});
const genesis = z.object({ name: z._default(z.string(), ''), asset_id: hexString });
const listAssetsRes = z.object({
  assets: z.nullish(
    z.array(
      z.object({
        asset_genesis: genesis,
        amount: int64,
        asset_group: z.nullish(z.object({ tweaked_group_key: hexString })),
        decimal_display: z.nullish(z.object({ decimal_display: z._default(z.int(), 0) })),
      }),
    ),
  ),
});
const balancesRes = z.object({
  asset_balances: z.nullish(z.record(z.string(), z.object({ asset_genesis: genesis, balance: int64, group_key: hexString }))),
});
const metaRes = z.object({ data: hexString, type: z._default(z.string(), 'META_TYPE_OPAQUE') });
// Stablecoin JSON meta ({"spec":"stablecoin","ticker":…,"decimal_display":N}); other JSON metas
// may carry the same keys.
const jsonMeta = z.object({
  ticker: z.optional(z.string()),
  decimal_display: z.optional(z.int().check(z.minimum(0), z.maximum(18))),
});
const fixedPoint = z.object({ coefficient: z.string().check(z.regex(/^[0-9]+$/)), scale: z.int() });
const addInvoiceRes = z.object({
  accepted_buy_quote: z.nullish(z.object({ ask_asset_rate: z.nullish(fixedPoint), expiry: int64 })),
  invoice_result: z.object({ r_hash: hexString, payment_request: z.string().check(z.minLength(1)) }),
});
const sellOrderRes = z.object({
  accepted_quote: z.nullish(
    z.object({
      peer: z.string().check(z.regex(/^[0-9a-fA-F]{66}$/)),
      id: z.string().check(z.regex(/^[0-9a-fA-F]{64}$/)),
      scid: int64,
      asset_amount: int64,
      bid_asset_rate: fixedPoint,
      expiry: int64,
      min_transportable_msat: int64,
      accepted_max_amount: int64,
    }),
  ),
  invalid_quote: z.nullish(z.object({ status: z._default(z.string(), 'INVALID_ASSET_RATES'), peer: z._default(z.string(), '') })),
  rejected_quote: z.nullish(
    z.object({ error_message: z._default(z.string(), ''), error_code: z._default(z.int(), 0), peer: z._default(z.string(), '') }),
  ),
});
const sendPaymentRes = z.pipe(
  z.object({ payment_result: z.nullish(paymentWire) }),
  z.transform((r) => r.payment_result ?? undefined),
);

type Meta = AssetMeta;

export type TapdRestOptions = RestConfig;

export class TapdRest implements AssetNode {
  /** Asset metadata never changes for an asset id: fetch it once. */
  private readonly metaCache = new Map<string, Promise<Meta>>();

  constructor(private readonly cfg: TapdRestOptions) {}

  private call<T>(method: HttpMethod, path: string, body: unknown, schema: z.ZodMiniType<T>): Promise<T> {
    return restCall(this.cfg, method, path, body, schema);
  }

  async getInfo(): Promise<AssetNodeInfo> {
    const r = await this.call('GET', '/v1/taproot-assets/getinfo', undefined, getInfoRes);
    return {
      version: r.version,
      lndVersion: r.lnd_version,
      network: r.network,
      lndPubkey: r.lnd_identity_pubkey,
      alias: r.node_alias,
      blockHeight: r.block_height,
      synced: r.sync_to_chain,
    };
  }

  async listAssets(): Promise<AssetInfo[]> {
    const r = await this.call('GET', '/v1/taproot-assets/assets', undefined, listAssetsRes);
    return (r.assets ?? []).map((a) => ({
      assetId: a.asset_genesis.asset_id,
      ...(a.asset_group?.tweaked_group_key && { groupKey: a.asset_group.tweaked_group_key }),
      name: a.asset_genesis.name,
      amount: a.amount,
      decimalDisplay: a.decimal_display?.decimal_display ?? 0,
    }));
  }

  /** Balances per asset, tranches of a grouped asset summed under its group key. */
  async getAssetBalances(): Promise<TapdAssetBalance[]> {
    const r = await this.call('GET', '/v1/taproot-assets/assets/balance?asset_id=true', undefined, balancesRes);
    const byIdentity = new Map<string, TapdAssetBalance>();
    for (const b of Object.values(r.asset_balances ?? {})) {
      const assetId = b.asset_genesis.asset_id;
      const key = b.group_key || assetId;
      const prev = byIdentity.get(key);
      if (prev) {
        prev.amount += b.balance;
        prev.assetIds.push(assetId);
        continue;
      }
      byIdentity.set(key, {
        ...(b.group_key ? { groupKey: b.group_key } : { assetId }),
        assetIds: [assetId],
        name: b.asset_genesis.name,
        amount: b.balance,
        decimalDisplay: 0,
      });
    }
    const out = [...byIdentity.values()];
    await Promise.all(
      out.map(async (bal) => {
        const meta = await this.meta(bal.assetIds[0] as string);
        if (meta.ticker !== undefined) bal.ticker = meta.ticker;
        if (meta.decimalDisplay !== undefined) bal.decimalDisplay = meta.decimalDisplay;
      }),
    );
    return out;
  }

  /** Ticker and decimal display from the asset's JSON meta (cached: it never changes for an id). */
  assetMeta(assetId: string): Promise<AssetMeta> {
    return this.meta(assetId);
  }

  private meta(assetId: string): Promise<Meta> {
    let m = this.metaCache.get(assetId);
    if (!m) {
      m = this.fetchMeta(assetId);
      this.metaCache.set(assetId, m);
      m.catch(() => this.metaCache.delete(assetId)); // retry after a failure
    }
    return m;
  }

  private async fetchMeta(assetId: string): Promise<Meta> {
    const r = await this.call('GET', `/v1/taproot-assets/assets/meta/asset-id/${assertHex(assetId, 32, 'assetId')}`, undefined, metaRes);
    if (r.data === '') return {};
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(hexToBytes(r.data)));
    } catch {
      return {}; // an opaque meta (an image, a text): no ticker, no decimals
    }
    const m = jsonMeta.safeParse(json);
    if (!m.success) return {};
    return {
      ...(m.data.ticker !== undefined && { ticker: m.data.ticker }),
      ...(m.data.decimal_display !== undefined && { decimalDisplay: m.data.decimal_display }),
    };
  }

  async createAssetInvoice(p: CreateAssetInvoiceParams): Promise<CreatedAssetInvoice> {
    const amount = p.assetAmount ?? p.valueMsat;
    if (amount === undefined || amount <= 0n || (p.assetAmount !== undefined && p.valueMsat !== undefined))
      throw error('NODE_BAD_INPUT', 'give one positive assetAmount or valueMsat', String(amount));
    const body = {
      ...assetSpecifier(p),
      ...(p.assetAmount !== undefined && { asset_amount: p.assetAmount.toString() }),
      ...(p.peerPubkey !== undefined && { peer_pubkey: assertHex(p.peerPubkey, 33, 'peerPubkey') }),
      invoice_request: {
        memo: p.memo ?? '',
        ...(p.valueMsat !== undefined && { value_msat: p.valueMsat.toString() }),
        ...(p.expirySeconds !== undefined && { expiry: String(assertSats(p.expirySeconds, 'expirySeconds')) }),
      },
      ...(p.holdPaymentHash !== undefined && { hodl_invoice: { payment_hash: assertHex(p.holdPaymentHash, 32, 'holdPaymentHash') } }),
    };
    const r = await this.call('POST', '/v1/taproot-assets/channels/invoice', body, addInvoiceRes);
    const quote = r.accepted_buy_quote;
    return {
      paymentRequest: r.invoice_result.payment_request,
      paymentHash: r.invoice_result.r_hash,
      ...(quote?.ask_asset_rate && {
        rate: { coefficient: BigInt(quote.ask_asset_rate.coefficient), scale: quote.ask_asset_rate.scale },
      }),
      ...(quote && quote.expiry > 0n && { expiresAt: Number(quote.expiry) }),
    };
  }

  async payWithAsset(p: PayWithAssetParams, onUpdate?: PaymentUpdate): Promise<PaymentResult> {
    const timeoutSeconds = p.timeoutSeconds ?? DEFAULT_PAYMENT_TIMEOUT_S;
    const body = {
      ...assetSpecifier(p),
      ...(p.peerPubkey !== undefined && { peer_pubkey: assertHex(p.peerPubkey, 33, 'peerPubkey') }),
      ...(p.rfqId !== undefined && { rfq_id: assertHex(p.rfqId, 32, 'rfqId') }),
      // lnd's SendPaymentRequest, with tapd's REST bytes (hex).
      payment_request: {
        payment_request: p.paymentRequest.trim().replace(/^lightning:/i, ''),
        fee_limit_sat: String(assertSats(p.feeLimitSat, 'feeLimitSat')),
        timeout_seconds: assertSats(timeoutSeconds, 'timeoutSeconds'),
        ...(p.customRecords && { dest_custom_records: customRecordsWire(p.customRecords, 'hex') }),
        ...(p.cltvLimit !== undefined && { cltv_limit: assertCltvLimit(p.cltvLimit) }),
        no_inflight_updates: finalUpdateOnly(p, onUpdate),
      },
    };
    // The first message is the RFQ quote, then lnd's payment updates follow.
    const updates = restStream(this.cfg, 'POST', '/v1/taproot-assets/channels/send-payment', body, sendPaymentRes, {
      timeoutMs: streamTimeoutMs(timeoutSeconds, this.cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    return consumePayments(updates, p.waitFinal ?? true, onUpdate);
  }

  async requestSellQuote(p: SellQuoteParams): Promise<AssetQuote> {
    if (p.maxMsat <= 0n) throw error('NODE_BAD_INPUT', 'maxMsat must be positive', p.maxMsat.toString());
    if (!Number.isSafeInteger(p.expiresAt) || p.expiresAt <= 0) throw error('NODE_BAD_INPUT', 'expiresAt must be unix seconds', p.expiresAt);
    // The asset rides in the path (REST's *_str fields); the body carries the order.
    const spec = assetSpecifier(p);
    const path = 'group_key' in spec ? `group-key/${spec.group_key}` : `asset-id/${spec.asset_id}`;
    const body = {
      payment_max_amt: p.maxMsat.toString(),
      expiry: String(p.expiresAt),
      ...(p.peerPubkey !== undefined && { peer_pub_key: assertHex(p.peerPubkey, 33, 'peerPubkey') }),
      ...(p.timeoutSeconds !== undefined && { timeout_seconds: assertSats(p.timeoutSeconds, 'timeoutSeconds') }),
    };
    const r = await this.call('POST', `/v1/taproot-assets/rfq/sellorder/${path}`, body, sellOrderRes);
    const q = r.accepted_quote;
    if (q) {
      const rate = assertRate({ coefficient: BigInt(q.bid_asset_rate.coefficient), scale: q.bid_asset_rate.scale }, 'quote rate');
      return {
        id: q.id.toLowerCase(),
        peer: q.peer.toLowerCase(),
        scid: q.scid.toString(),
        rate,
        expiresAt: Number(q.expiry),
        assetAmount: q.asset_amount,
        maxMsat: q.accepted_max_amount > 0n ? q.accepted_max_amount : p.maxMsat,
        minTransportableMsat: q.min_transportable_msat,
      };
    }
    if (r.rejected_quote) throw error('ASSET_QUOTE_REFUSED', 'the peer rejected the quote', r.rejected_quote.error_message || r.rejected_quote.error_code);
    if (r.invalid_quote) throw error('ASSET_QUOTE_REFUSED', "the peer's quote is invalid", r.invalid_quote.status);
    throw error('NODE_BAD_RESPONSE', 'sell order answered with no quote');
  }
}

function assetSpecifier(ref: AssetRef): { asset_id: string } | { group_key: string } {
  if (ref.assetId !== undefined && ref.groupKey === undefined) return { asset_id: assertHex(ref.assetId, 32, 'assetId') };
  if (ref.groupKey !== undefined && ref.assetId === undefined) return { group_key: assertHex(ref.groupKey, 33, 'groupKey') };
  throw error('NODE_BAD_INPUT', 'give exactly one of assetId or groupKey');
}
