/**
 * lnrpc messages as lnd's REST proxy writes them (protojson with proto field names and every
 * scalar field present): int64/uint64 as decimal strings, int32/uint32 as numbers, enums by name,
 * `bytes` through `enc` (base64 for lnd, hex when tapd embeds these messages), hash fields typed
 * `string` as hex. Unset message fields are left out rather than written as null.
 */
import type { Invoice } from '../src/bolt11/index.ts';
import { fromHex, toB64, toHex, utf8Bytes } from './codec.ts';
import type { InvoiceHtlc, InvoiceRecord } from './invoices.ts';
import { otherSide, reserveSat, sideOf, type Channel, type Network } from './network.ts';
import type { SimNode } from './node.ts';
import type { Route } from './pathfinding.ts';
import type { HtlcAttempt, HtlcFailure, PaymentRecord } from './payments.ts';

export type Enc = (b: Uint8Array) => string;
export const lndBytes: Enc = toB64;

const str = (n: number | bigint): string => String(n);
const sat = (msat: number): string => String(Math.floor(msat / 1000));
const recordsJson = (r: Readonly<Record<string, Uint8Array>>, enc: Enc) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, enc(v)]));

export const LND_VERSION = '0.21.2-beta commit=v0.21.2-beta';
export const LND_COMMIT = '29257ecc8892af0c882fa627b66a556190c84fd9';

/** lnd's names for feature bits (lnwire), by bit pair. */
const FEATURE_NAMES: Readonly<Record<number, string>> = {
  0: 'data-loss-protect',
  4: 'upfront-shutdown-script',
  6: 'gossip-queries',
  8: 'tlv-onion',
  12: 'static-remote-key',
  14: 'payment-addr',
  16: 'multi-path-payments',
  22: 'anchors-zero-fee-htlc-tx',
  24: 'route-blinding',
  26: 'shutdown-any-segwit',
  30: 'amp',
  44: 'explicit-commitment-type',
  46: 'scid-alias',
  48: 'payment-metadata',
  50: 'zero-conf',
  54: 'keysend',
};

export const INVOICE_FEATURES = [8, 14, 17] as const;
export const NODE_FEATURES = [0, 5, 7, 9, 12, 14, 17, 23, 27, 31, 45, 47, 51, 55] as const;

export function featuresJson(bits: readonly number[]) {
  return Object.fromEntries(
    bits.map((b) => {
      const name = FEATURE_NAMES[b - (b % 2)];
      return [String(b), { name: name ?? 'unknown', is_required: b % 2 === 0, is_known: name !== undefined }];
    }),
  );
}

export function getInfoJson(node: SimNode, net: Network) {
  const channels = net.channelsOf(node.name);
  const active = channels.filter((c) => net.isActive(c)).length;
  const peers = new Set(channels.map((c) => c.sides[otherSide(sideOf(c, node.name))].node));
  return {
    version: LND_VERSION,
    commit_hash: LND_COMMIT,
    identity_pubkey: node.pubkeyHex,
    alias: node.alias,
    color: node.color,
    num_pending_channels: 0,
    num_active_channels: active,
    num_inactive_channels: channels.length - active,
    num_peers: [...peers].filter((p) => !net.node(p).faults.down).length,
    block_height: net.height,
    block_hash: net.blockHash(),
    best_header_timestamp: str(net.nowSec()),
    synced_to_chain: true,
    synced_to_graph: true,
    testnet: false,
    chains: [{ chain: 'bitcoin', network: 'regtest' }],
    uris: [`${node.pubkeyHex}@127.0.0.1:9735`],
    features: featuresJson(NODE_FEATURES),
    require_htlc_interceptor: false,
    store_final_htlc_resolutions: false,
    wallet_synced: true,
    graph_cache_status: 'GRAPH_CACHE_STATUS_LOADED',
  };
}

export function walletBalanceJson(node: SimNode) {
  const confirmed = node.confirmedSat;
  const unconfirmed = node.unconfirmedSat;
  return {
    total_balance: str(confirmed + unconfirmed),
    confirmed_balance: str(confirmed),
    unconfirmed_balance: str(unconfirmed),
    locked_balance: '0',
    reserved_balance_anchor_chan: '0',
    account_balance: { default: { confirmed_balance: str(confirmed), unconfirmed_balance: str(unconfirmed) } },
  };
}

const amount = (msat: number) => ({ sat: sat(msat), msat: str(msat) });

export function channelBalanceJson(node: SimNode, net: Network, enc: Enc) {
  let local = 0;
  let remote = 0;
  let unsettledLocal = 0;
  let unsettledRemote = 0;
  for (const c of net.channelsOf(node.name)) {
    const i = sideOf(c, node.name);
    local += c.sides[i].balanceMsat;
    remote += c.sides[otherSide(i)].balanceMsat;
    for (const h of c.htlcs) {
      if (h.from === i) unsettledLocal += h.amountMsat;
      else unsettledRemote += h.amountMsat;
    }
  }
  const assetData = assetBalancesData(node, net);
  return {
    balance: sat(local),
    pending_open_balance: '0',
    local_balance: amount(local),
    remote_balance: amount(remote),
    unsettled_local_balance: amount(unsettledLocal),
    unsettled_remote_balance: amount(unsettledRemote),
    pending_open_local_balance: amount(0),
    pending_open_remote_balance: amount(0),
    custom_channel_data: assetData === undefined ? '' : enc(assetData),
  };
}

/**
 * litd's JSON for asset channel balances (taproot-assets rfqmsg.JsonAssetChannelBalances):
 * `open_channels` keyed by asset id, plus `open_channels_by_group` keyed by group key.
 */
function assetBalancesData(node: SimNode, net: Network): Uint8Array | undefined {
  type Bal = { asset_id: string; name: string; local_balance: number; remote_balance: number };
  const open: Record<string, Bal> = {};
  const byGroup: Record<string, Bal & { group_key: string }> = {};
  for (const c of net.channelsOf(node.name)) {
    if (!c.asset) continue;
    const i = sideOf(c, node.name);
    const { def } = c.asset;
    for (const [map, key, extra] of [
      [open, def.assetId, {}],
      [byGroup, def.groupKey, { group_key: def.groupKey }],
    ] as const) {
      const entry = (map as Record<string, Bal>)[key] ?? { asset_id: def.assetId, name: def.name, local_balance: 0, remote_balance: 0, ...extra };
      entry.local_balance += c.sides[i].units;
      entry.remote_balance += c.sides[otherSide(i)].units;
      (map as Record<string, Bal>)[key] = entry;
    }
  }
  if (Object.keys(open).length === 0) return undefined;
  return utf8Bytes(JSON.stringify({ open_channels: open, open_channels_by_group: byGroup, pending_channels: {} }));
}

/** litd's per-channel JSON (rfqmsg.JsonAssetChannel). */
function assetChannelData(c: Channel, i: 0 | 1): Uint8Array {
  const { def, capacityUnits } = c.asset!;
  const local = c.sides[i].units;
  const remote = c.sides[otherSide(i)].units;
  const htlcUnits = (from: 0 | 1) => c.htlcs.filter((h) => h.from === from).reduce((n, h) => n + h.units, 0);
  const tranche = (amount: number) => (amount > 0 ? [{ asset_id: def.assetId, amount }] : []);
  return utf8Bytes(
    JSON.stringify({
      funding_assets: [
        {
          version: 1,
          asset_genesis: { genesis_point: def.genesisPoint, name: def.name, meta_hash: def.metaHash, asset_id: def.assetId },
          amount: capacityUnits,
          script_key: def.rawGroupKey,
          decimal_display: def.decimalDisplay,
        },
      ],
      local_assets: tranche(local),
      remote_assets: tranche(remote),
      outgoing_htlcs: tranche(htlcUnits(i)),
      incoming_htlcs: tranche(htlcUnits(otherSide(i))),
      capacity: capacityUnits,
      group_key: def.groupKey,
      local_balance: local,
      remote_balance: remote,
      outgoing_htlc_balance: htlcUnits(i),
      incoming_htlc_balance: htlcUnits(otherSide(i)),
    }),
  );
}

export function channelJson(c: Channel, node: SimNode, net: Network, enc: Enc, peerAlias: boolean) {
  const i = sideOf(c, node.name);
  const me = c.sides[i];
  const peer = c.sides[otherSide(i)];
  const reserve = str(reserveSat(c));
  const constraints = {
    csv_delay: 144,
    chan_reserve_sat: reserve,
    dust_limit_sat: '354',
    max_pending_amt_msat: str(c.capacitySat * 1000),
    min_htlc_msat: '1',
    max_accepted_htlcs: 483,
  };
  const lifetime = str(Math.max(0, net.nowSec() - c.openedAtSec));
  return {
    active: net.isActive(c),
    remote_pubkey: net.node(peer.node).pubkeyHex,
    channel_point: c.point,
    chan_id: str(c.id),
    capacity: str(c.capacitySat),
    local_balance: sat(me.balanceMsat),
    remote_balance: sat(peer.balanceMsat),
    commit_fee: '0',
    commit_weight: '1116',
    fee_per_kw: '253',
    unsettled_balance: sat(c.htlcs.reduce((n, h) => n + h.amountMsat, 0)),
    total_satoshis_sent: sat(me.sentMsat),
    total_satoshis_received: sat(me.receivedMsat),
    num_updates: str(c.numUpdates),
    pending_htlcs: c.htlcs.map((h) => ({
      incoming: h.from !== i,
      amount: sat(h.amountMsat),
      hash_lock: enc(h.hash),
      expiration_height: h.expiryHeight,
      htlc_index: str(h.index),
      forwarding_channel: '0',
      forwarding_htlc_index: '0',
      locked_in: true,
    })),
    csv_delay: 144,
    private: false,
    initiator: i === 0,
    chan_status_flags: 'ChanStatusDefault',
    local_chan_reserve_sat: reserve,
    remote_chan_reserve_sat: reserve,
    static_remote_key: true,
    commitment_type: c.asset ? 'SIMPLE_TAPROOT_OVERLAY' : 'ANCHORS',
    lifetime,
    uptime: net.isActive(c) ? lifetime : '0',
    close_address: '',
    push_amount_sat: str(c.pushSat),
    thaw_height: 0,
    local_constraints: constraints,
    remote_constraints: constraints,
    alias_scids: [],
    zero_conf: false,
    zero_conf_confirmed_scid: '0',
    peer_alias: peerAlias ? net.node(peer.node).alias : '',
    peer_scid_alias: '0',
    memo: '',
    custom_channel_data: c.asset ? enc(assetChannelData(c, i)) : '',
  };
}

function htlcJson(h: InvoiceHtlc, enc: Enc) {
  return {
    chan_id: str(h.chanId),
    htlc_index: str(h.htlcIndex),
    amt_msat: str(h.amtMsat),
    accept_height: h.acceptHeight,
    accept_time: str(h.acceptTime),
    resolve_time: str(h.resolveTime),
    expiry_height: h.expiryHeight,
    state: h.state,
    custom_records: recordsJson(h.customRecords, enc),
    mpp_total_amt_msat: str(h.mppTotalAmtMsat),
    custom_channel_data: '',
  };
}

export function invoiceJson(inv: InvoiceRecord, enc: Enc) {
  return {
    memo: inv.memo,
    r_preimage: inv.preimage && !(inv.hold && inv.state !== 'SETTLED') ? enc(inv.preimage) : '',
    r_hash: enc(inv.hash),
    value: sat(inv.valueMsat),
    value_msat: str(inv.valueMsat),
    settled: inv.state === 'SETTLED',
    creation_date: str(inv.creationDate),
    settle_date: str(inv.settleDate),
    payment_request: inv.paymentRequest,
    description_hash: inv.descriptionHash ? enc(inv.descriptionHash) : '',
    expiry: str(inv.expiry),
    fallback_addr: '',
    cltv_expiry: str(inv.cltvExpiry),
    route_hints: [],
    private: inv.private,
    add_index: str(inv.addIndex),
    settle_index: str(inv.settleIndex),
    amt_paid: str(inv.amtPaidMsat),
    amt_paid_sat: sat(inv.amtPaidMsat),
    amt_paid_msat: str(inv.amtPaidMsat),
    state: inv.state,
    htlcs: inv.htlcs.map((h) => htlcJson(h, enc)),
    features: featuresJson(inv.isKeysend ? [] : INVOICE_FEATURES),
    is_keysend: inv.isKeysend,
    payment_addr: enc(inv.paymentAddr),
    is_amp: false,
    amp_invoice_state: {},
    is_blinded: false,
  };
}

export function addInvoiceJson(inv: InvoiceRecord, enc: Enc) {
  return { r_hash: enc(inv.hash), payment_request: inv.paymentRequest, add_index: str(inv.addIndex), payment_addr: enc(inv.paymentAddr) };
}

export function payReqJson(d: Invoice, enc: Enc) {
  const msat = Number(d.amountMsat ?? 0n);
  return {
    destination: d.payee,
    payment_hash: d.paymentHash,
    num_satoshis: sat(msat),
    timestamp: str(d.timestamp),
    expiry: str(d.expirySeconds),
    description: d.description ?? '',
    description_hash: d.descriptionHash ?? '',
    fallback_addr: '',
    cltv_expiry: str(d.minFinalCltvExpiry),
    route_hints: [],
    payment_addr: enc(fromHex(d.paymentSecret ?? '')),
    num_msat: str(msat),
    features: featuresJson(d.features),
    blinded_paths: [],
  };
}

function failureJson(f: HtlcFailure) {
  return {
    code: f.code,
    htlc_msat: str(f.htlcMsat),
    onion_sha_256: '',
    cltv_expiry: 0,
    flags: 0,
    failure_source_index: f.sourceIndex,
    height: f.height,
  };
}

function routeJson(route: Route, a: HtlcAttempt, net: Network, enc: Enc) {
  const legs = route.legs;
  const first = legs[0];
  const assetData =
    first && first.units > 0 && a.rfqId
      ? enc(utf8Bytes(JSON.stringify({ balances: [{ asset_id: first.channel.asset!.def.assetId, amount: first.units }], rfq_id: toHex(a.rfqId) })))
      : '';
  return {
    total_time_lock: route.totalTimeLock,
    total_fees: sat(route.totalFeesMsat),
    total_amt: sat(route.totalAmtMsat),
    hops: legs.map((leg, i) => {
      const next = legs[i + 1];
      const forward = next ? next.amountMsat : leg.amountMsat;
      const isLast = !next;
      return {
        chan_id: str(leg.channel.id),
        chan_capacity: str(leg.channel.capacitySat),
        amt_to_forward: sat(forward),
        fee: sat(leg.amountMsat - forward),
        expiry: next ? next.expiryHeight : leg.expiryHeight,
        amt_to_forward_msat: str(forward),
        fee_msat: str(leg.amountMsat - forward),
        pub_key: net.node(leg.channel.sides[otherSide(leg.from)].node).pubkeyHex,
        tlv_payload: true,
        ...(isLast && a.paymentAddr && a.paymentAddr.length > 0
          ? { mpp_record: { payment_addr: enc(a.paymentAddr), total_amt_msat: str(forward) } }
          : {}),
        custom_records: isLast ? recordsJson(a.destCustomRecords, enc) : {},
        metadata: '',
        blinding_point: '',
        encrypted_data: '',
        total_amt_msat: '0',
      };
    }),
    total_fees_msat: str(route.totalFeesMsat),
    total_amt_msat: str(route.totalAmtMsat),
    first_hop_amount_msat: str(route.totalAmtMsat),
    custom_channel_data: assetData,
  };
}

function attemptJson(a: HtlcAttempt, net: Network, enc: Enc) {
  return {
    attempt_id: str(a.id),
    status: a.status,
    route: routeJson(a.route, a, net, enc),
    attempt_time_ns: str(a.attemptTimeNs),
    resolve_time_ns: str(a.resolveTimeNs),
    ...(a.failure ? { failure: failureJson(a.failure) } : {}),
    preimage: a.preimage ? enc(a.preimage) : '',
  };
}

const ZERO_HASH = '0'.repeat(64);

export function paymentJson(p: PaymentRecord, net: Network, enc: Enc) {
  return {
    payment_hash: toHex(p.hash),
    value: sat(p.valueMsat),
    creation_date: str(p.creationTimeNs / 1_000_000_000n),
    fee: sat(p.feeMsat),
    payment_preimage: p.preimage ? toHex(p.preimage) : ZERO_HASH,
    value_sat: sat(p.valueMsat),
    value_msat: str(p.valueMsat),
    payment_request: p.paymentRequest,
    status: p.status,
    fee_sat: sat(p.feeMsat),
    fee_msat: str(p.feeMsat),
    creation_time_ns: str(p.creationTimeNs),
    htlcs: p.htlcs.map((a) => attemptJson(a, net, enc)),
    payment_index: str(p.index),
    failure_reason: p.failureReason,
    first_hop_custom_records: recordsJson(p.firstHopCustomRecords, enc),
  };
}
