/**
 * The tapd REST subset Satnav uses. tapd's REST proxy writes `bytes` as hex, also inside the lnrpc
 * messages it embeds (lnrpc.Invoice, lnrpc.Payment); query `bytes` stay base64.
 *
 * | method | path                                              | gRPC                                 |
 * | ------ | ------------------------------------------------- | ------------------------------------ |
 * | GET    | /v1/taproot-assets/getinfo                        | TaprootAssets.GetInfo                |
 * | GET    | /v1/taproot-assets/assets                         | TaprootAssets.ListAssets             |
 * | GET    | /v1/taproot-assets/assets/balance                 | TaprootAssets.ListBalances           |
 * | GET    | /v1/taproot-assets/assets/meta/asset-id/{id}      | TaprootAssets.FetchAssetMeta         |
 * | POST   | /v1/taproot-assets/channels/invoice               | TaprootAssetChannels.AddInvoice      |
 * | POST   | /v1/taproot-assets/channels/send-payment          | TaprootAssetChannels.SendPayment (stream) |
 * | POST   | /v1/taproot-assets/rfq/sellorder/group-key/{key}  | Rfq.AddAssetSellOrder                |
 * | POST   | /v1/taproot-assets/rfq/sellorder/asset-id/{id}    | Rfq.AddAssetSellOrder                |
 *
 * Prices come from the RFQ desk (devnet/rfq.ts): the edge nodes buy and sell at one rate, which
 * tests may move; a payment made with `rfq_id` runs at that quote's rate, only while it is valid.
 */
import { bytesEqual, fromHex, isHex, toHex } from './codec.ts';
import { msatForUnits, scriptKeyOf, unitsForMsat, type AssetDef, type FixedPoint } from './assets.ts';
import { Fields, queryBool, queryBytes } from './fields.ts';
import { Code, RpcError, type RequestCtx, type RouteDef } from './http.ts';
import { KEYSEND_RECORD } from './invoices.ts';
import { addInvoiceJson, LND_VERSION, paymentJson } from './lnd-json.ts';
import { otherSide, sideOf, type Channel } from './network.ts';
import { addInvoice, pay, randomBytes, resolvePayment, type Sim } from './node-ops.ts';
import type { SimNode } from './node.ts';
import { payRequest, paymentUpdates } from './lnd-rest.ts';
import type { SellQuote } from './rfq.ts';

const TAPD_VERSION = '0.8.1-alpha commit=v0.8.1';
/** The smallest non-dust HTLC, in msat: the floor under every asset HTLC. */
const MIN_HTLC_MSAT = 354_000;

const str = (n: number | bigint): string => String(n);
const rateJson = (rate: FixedPoint) => ({ coefficient: str(rate.coefficient), scale: rate.scale });
const specJson = (a: AssetDef) => ({ id: a.assetId, group_pub_key: a.groupKey });

function genesisJson(a: AssetDef) {
  return { genesis_point: a.genesisPoint, name: a.name, meta_hash: a.metaHash, asset_id: a.assetId, asset_type: 'NORMAL', output_index: 0 };
}

function assetJson(sim: Sim, node: SimNode, a: AssetDef, units: number) {
  const { net } = sim;
  return {
    version: 'ASSET_VERSION_V1',
    asset_genesis: genesisJson(a),
    amount: str(units),
    lock_time: 0,
    relative_lock_time: 0,
    script_version: 0,
    script_key: scriptKeyOf(a, node.name, net.seed),
    script_key_is_local: true,
    asset_group: { raw_group_key: a.rawGroupKey, tweaked_group_key: a.groupKey, asset_witness: '', tapscript_root: '' },
    chain_anchor: {
      anchor_tx: '',
      anchor_block_hash: net.blockHash(a.anchorHeight),
      anchor_outpoint: `${a.genesisPoint.split(':')[0]}:1`,
      internal_key: scriptKeyOf(a, `${node.name}/internal`, net.seed),
      merkle_root: a.metaHash,
      tapscript_sibling: '',
      block_height: a.anchorHeight,
      block_timestamp: str(net.nowSec()),
    },
    prev_witnesses: [],
    is_spent: false,
    lease_owner: '',
    lease_expiry: '0',
    is_burn: false,
    script_key_declared_known: true,
    script_key_has_script_path: false,
    decimal_display: { decimal_display: a.decimalDisplay },
    script_key_type: 'SCRIPT_KEY_BIP86',
  };
}

/** The asset named by `asset_id` or `group_key` (exactly one of them). */
function assetOf(sim: Sim, f: Fields): AssetDef {
  const id = f.bytes('asset_id');
  const group = f.bytes('group_key');
  if (id.length > 0 && group.length > 0) throw new RpcError(Code.InvalidArgument, 'cannot set both asset ID and group key');
  if (id.length === 0 && group.length === 0) throw new RpcError(Code.InvalidArgument, 'either asset ID or group key must be set');
  const a = sim.asset;
  if ((id.length > 0 && !bytesEqual(id, fromHex(a.assetId))) || (group.length > 0 && !bytesEqual(group, fromHex(a.groupKey)))) {
    throw new RpcError(Code.Unknown, `no asset channel found for asset ${toHex(id.length > 0 ? id : group)}`);
  }
  return a;
}

/** The asset a sell order names in its path: a group key (33 bytes, or x-only 32) or an asset id, hex. */
function assetOfPath(sim: Sim, ctx: RequestCtx): AssetDef {
  const a = sim.asset;
  const group = ctx.params['asset_specifier.group_key_str'];
  const id = ctx.params['asset_specifier.asset_id_str'];
  const key = (group ?? id ?? '').toLowerCase();
  if (!isHex(key) || (id !== undefined ? key.length !== 64 : key.length !== 64 && key.length !== 66)) {
    throw new RpcError(Code.InvalidArgument, `invalid asset specifier: ${key}`);
  }
  const known = id !== undefined ? key === a.assetId : key === a.groupKey || key === a.groupKey.slice(2);
  if (!known) throw new RpcError(Code.Unknown, `no asset channel found for asset ${key}`);
  return a;
}

/** The node's asset channels for `a`, optionally only with one peer. */
function assetChannels(sim: Sim, node: SimNode, a: AssetDef, peerKey: Uint8Array): Channel[] {
  const peer = peerKey.length > 0 ? sim.net.nodeByPubkey(toHex(peerKey))?.name : undefined;
  if (peerKey.length > 0 && !peer) throw new RpcError(Code.Unknown, `no asset channel found with peer ${toHex(peerKey)}`);
  const found = sim.net
    .channelsOf(node.name)
    .filter((c) => c.asset?.def.assetId === a.assetId && (!peer || c.sides[otherSide(sideOf(c, node.name))].node === peer));
  if (found.length === 0) throw new RpcError(Code.Unknown, `no asset channel found for asset ${a.assetId}`);
  return found;
}

export function tapdRoutes(sim: Sim): RouteDef[] {
  const { net } = sim;
  const peerOf = (c: Channel, node: SimNode) => net.node(c.sides[otherSide(sideOf(c, node.name))].node);
  return [
    {
      method: 'GET',
      path: '/v1/taproot-assets/getinfo',
      perm: 'read',
      handle: (ctx) => ({
        json: {
          version: TAPD_VERSION,
          lnd_version: LND_VERSION.split(' ')[0],
          network: 'regtest',
          lnd_identity_pubkey: ctx.node.faults.tapdUnnamed ? '' : ctx.node.pubkeyHex,
          node_alias: ctx.node.alias,
          block_height: net.height,
          block_hash: net.blockHash(),
          sync_to_chain: true,
        },
      }),
    },
    {
      method: 'GET',
      path: '/v1/taproot-assets/assets',
      perm: 'read',
      handle: (ctx) => {
        const units = ctx.node.assetUnits.get(sim.asset.assetId) ?? 0;
        const assets = units > 0 ? [assetJson(sim, ctx.node, sim.asset, units)] : [];
        return { json: { assets, unconfirmed_transfers: '0', unconfirmed_mints: '0' } };
      },
    },
    {
      method: 'GET',
      path: '/v1/taproot-assets/assets/balance',
      perm: 'read',
      handle: (ctx) => {
        const q = ctx.query;
        const byId = queryBool(q, 'asset_id');
        const byGroup = queryBool(q, 'group_key');
        if (!byId && !byGroup) throw new RpcError(Code.Unknown, 'invalid group_by');
        const a = sim.asset;
        const idFilter = queryBytes(q.get('asset_filter'), 'asset_filter');
        const groupFilter = queryBytes(q.get('group_key_filter'), 'group_key_filter');
        const units = ctx.node.assetUnits.get(a.assetId) ?? 0;
        const shown =
          units > 0 &&
          (idFilter.length === 0 || toHex(idFilter) === a.assetId) &&
          (groupFilter.length === 0 || toHex(groupFilter) === a.groupKey);
        return {
          json: {
            asset_balances: byId && shown ? { [a.assetId]: { asset_genesis: genesisJson(a), balance: str(units), group_key: a.groupKey } } : {},
            asset_group_balances: !byId && shown ? { [a.groupKey]: { group_key: a.groupKey, balance: str(units) } } : {},
            unconfirmed_transfers: '0',
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/v1/taproot-assets/assets/meta/asset-id/{asset_id_str}',
      perm: 'read',
      handle: (ctx) => {
        const id = ctx.params.asset_id_str ?? '';
        const a = sim.asset;
        if (!isHex(id) || id.length !== 64) throw new RpcError(Code.InvalidArgument, `invalid asset ID: ${id}`);
        if (id.toLowerCase() !== a.assetId) throw new RpcError(Code.Unknown, 'unable to fetch asset meta: asset meta not found');
        return {
          json: {
            data: toHex(a.meta),
            type: 'META_TYPE_JSON',
            meta_hash: a.metaHash,
            unknown_odd_types: {},
            decimal_display: a.decimalDisplay,
            universe_commitments: false,
            canonical_universe_urls: [],
            delegation_key: '',
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/taproot-assets/channels/invoice',
      perm: 'write',
      handle: (ctx) => {
        const f = new Fields(ctx.body, 'hex');
        const a = assetOf(sim, f);
        const req = f.obj('invoice_request') ?? new Fields({}, 'hex');
        const msat = req.int('value_msat') || req.int('value') * 1000;
        const assetAmount = f.int('asset_amount');
        if ([assetAmount, req.int('value'), req.int('value_msat')].filter((x) => x !== 0).length > 1) {
          throw new RpcError(Code.InvalidArgument, 'only one of asset_amount, value and value_msat can be set');
        }
        const rate = sim.rfq.rate;
        const units = assetAmount || unitsForMsat(msat, rate, 'down');
        if (units <= 0) throw new RpcError(Code.InvalidArgument, 'asset amount must be greater than zero');
        // The peer must be able to sell us the units over the channel.
        const channel = assetChannels(sim, ctx.node, a, f.bytes('peer_pubkey')).find(
          (c) => c.sides[otherSide(sideOf(c, ctx.node.name))].units >= units,
        );
        if (!channel) throw new RpcError(Code.Unknown, `no asset channel with enough remote balance for ${units} units`);
        const peer = peerOf(channel, ctx.node);
        const rfqId = randomBytes(32);
        const hodl = f.obj('hodl_invoice');
        const inv = addInvoice(sim, ctx.node, {
          valueMsat: msatForUnits(units, rate, 'up'),
          memo: req.str('memo'),
          descriptionHash: req.bytes('description_hash'),
          expiry: req.int('expiry'),
          cltvExpiry: req.int('cltv_expiry'),
          private: req.bool('private'),
          hash: hodl ? hodl.bytes('payment_hash') : undefined,
          preimage: req.bytes('r_preimage'),
          asset: { assetId: a.assetId, units, peer: peer.name, rfqId },
        });
        return {
          json: {
            accepted_buy_quote: {
              peer: peer.pubkeyHex,
              id: toHex(rfqId),
              scid: str(channel.id),
              asset_max_amount: str(channel.sides[otherSide(sideOf(channel, ctx.node.name))].units),
              ask_asset_rate: rateJson(rate),
              expiry: str(net.nowSec() + sim.rfq.quoteSeconds),
              min_transportable_units: str(unitsForMsat(MIN_HTLC_MSAT, rate, 'up')),
              price_oracle_metadata: f.str('price_oracle_metadata'),
              asset_spec: specJson(a),
              accepted_max_amount: '0',
            },
            invoice_result: addInvoiceJson(inv, toHex),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/v1/taproot-assets/channels/send-payment',
      perm: 'write',
      stream: true,
      handle: (ctx: RequestCtx) => {
        const f = new Fields(ctx.body, 'hex');
        const a = assetOf(sim, f);
        const inner = payRequest(f.obj('payment_request') ?? new Fields({}, 'hex'));
        if (inner.destCustomRecords[KEYSEND_RECORD]) {
          throw new RpcError(Code.Unimplemented, 'devnet: asset keysend payments are not simulated');
        }
        const { amountMsat } = resolvePayment(sim, inner);
        const rfqId = f.bytes('rfq_id');
        if (rfqId.length !== 0 && rfqId.length !== 32) throw new RpcError(Code.InvalidArgument, `invalid RFQ ID length: ${rfqId.length}`);
        // With rfq_id tapd skips negotiation and pays at that accepted quote, if it still has it.
        const quote =
          rfqId.length === 32
            ? acceptedQuote(sim, ctx.node, rfqId, amountMsat + inner.feeLimitMsat)
            : // The sell quote negotiated here covers the invoice amount plus the most the payer allows in fees.
              sellQuote(ctx.node, assetChannels(sim, ctx.node, a, f.bytes('peer_pubkey')), amountMsat + inner.feeLimitMsat, amountMsat);
        const channel = net.channelById(quote.channelId)!;
        const peer = net.node(quote.peer);
        const unitsFor = (msat: number) => unitsForMsat(msat, quote.rate, 'up');
        const rec = pay(sim, ctx.node, { ...inner, spend: { asset: a, peer: peer.name, unitsFor, rfqId: fromHex(quote.id) } });
        const quoteJson = { ...sellQuoteJson(a, quote, channel), price_oracle_metadata: f.str('price_oracle_metadata') };
        const updates = paymentUpdates(ctx, rec, (f.obj('payment_request') ?? new Fields({}, 'hex')).bool('no_inflight_updates'), (p) => ({
          payment_result: paymentJson(p, net, toHex),
        }));
        async function* lines() {
          yield { accepted_sell_order: quoteJson, accepted_sell_orders: { accepted_sell_orders: [quoteJson] } };
          yield* updates;
        }
        return { stream: lines() };
      },
    },
    ...(['group-key/{asset_specifier.group_key_str}', 'asset-id/{asset_specifier.asset_id_str}'] as const).map(
      (tail): RouteDef => ({
        method: 'POST',
        path: `/v1/taproot-assets/rfq/sellorder/${tail}`,
        perm: 'write',
        handle: (ctx) => {
          const f = new Fields(ctx.body, 'hex');
          const a = assetOfPath(sim, ctx);
          const maxMsat = f.int('payment_max_amt');
          if (maxMsat <= 0) throw new RpcError(Code.InvalidArgument, 'payment max amount must be greater than zero');
          const expiry = f.int('expiry');
          if (expiry !== 0 && expiry <= net.nowSec()) throw new RpcError(Code.InvalidArgument, 'expiry must be in the future');
          const channels = assetChannels(sim, ctx.node, a, f.bytes('peer_pub_key'));
          if (sim.rfq.rejectWith !== undefined) {
            const peer = peerOf(channels[0]!, ctx.node);
            return { json: { rejected_quote: { peer: peer.pubkeyHex, id: toHex(randomBytes(32)), error_message: sim.rfq.rejectWith, error_code: 1 } } };
          }
          const q = sellQuote(ctx.node, channels, maxMsat, maxMsat);
          const channel = net.channelById(q.channelId)!;
          return { json: { accepted_quote: { ...sellQuoteJson(a, q, channel), price_oracle_metadata: f.str('price_oracle_metadata') } } };
        },
      }),
    ),
  ];

  /** The channel peer sells BTC for units at the desk's rate, over the channel that can carry `needMsat`. */
  function sellQuote(node: SimNode, channels: Channel[], maxMsat: number, needMsat: number): SellQuote {
    const rate = sim.rfq.rate;
    const channel = channels.find((c) => c.sides[sideOf(c, node.name)].units >= unitsForMsat(needMsat, rate, 'up')) ?? channels[0]!;
    return sim.rfq.addSell({
      id: randomBytes(32),
      node: node.name,
      peer: peerOf(channel, node).name,
      channelId: channel.id,
      rate,
      expiresAt: net.nowSec() + sim.rfq.quoteSeconds,
      maxMsat,
    });
  }

  function sellQuoteJson(a: AssetDef, q: SellQuote, channel: Channel) {
    return {
      peer: net.node(q.peer).pubkeyHex,
      id: q.id,
      scid: str(channel.id),
      asset_amount: str(unitsForMsat(q.maxMsat, q.rate, 'up')),
      bid_asset_rate: rateJson(q.rate),
      expiry: str(q.expiresAt),
      min_transportable_msat: str(MIN_HTLC_MSAT + msatForUnits(1, q.rate, 'up')),
      asset_spec: specJson(a),
      accepted_max_amount: '0',
    };
  }
}

/** The payer's own accepted sell quote, still valid, that carries `msat`; tapd's refusals otherwise. */
function acceptedQuote(sim: Sim, node: SimNode, id: Uint8Array, msat: number): SellQuote {
  const q = sim.rfq.sell(node.name, toHex(id), sim.net.nowSec());
  if (!q) throw new RpcError(Code.Unknown, `no accepted sell quote found for RFQ ID ${toHex(id)}`);
  if (msat > q.maxMsat) throw new RpcError(Code.Unknown, `payment of ${msat} msat exceeds the quote's max amount of ${q.maxMsat} msat`);
  return q;
}
