/**
 * The person's node connection: turning what they typed into checked
 * settings, probing the node before saving, and reading balances in the shape
 * the popup shows. Credentials are persisted by the caller inside the vault.
 */
import { moduleErrors, SatnavError } from '../errors.ts';
import type { NodeConnectRequest, NodeStatus } from '../messages/ui-api.ts';
import { LndRest } from './lnd-rest.ts';
import { parseLndConnect, parseManualConnection } from './lndconnect.ts';
import { checkNetwork } from './network-check.ts';
import { TapdRest } from './tapd-rest.ts';
import type { AssetBalance, AssetChannelBalance, AssetNode, AssetNodeInfo, Balances, LightningNode, NodeNetwork, TapdAssetBalance } from './types.ts';

const error = moduleErrors('node');

/** What the vault keeps (encrypted) for the connected node. */
export interface StoredConnection {
  restUrl: string;
  macaroonHex: string;
  tapdUrl?: string;
  tapdMacaroonHex?: string;
  label?: string;
  simulated?: boolean;
  /** From the lndconnect URI's cert=: shown for comparison, not checked against the node (browser-trust.ts). */
  certFingerprint?: string;
  /** Reached through the browser's acceptance of a certificate it doesn't trust otherwise (browser-trust.ts). */
  tls?: 'accepted-in-browser';
}

/** Non-secret facts about the node, kept in plain storage for display. */
export interface NodeProfile {
  alias: string;
  pubkey: string;
  network: NodeNetwork;
  restUrl: string;
  hasTapd: boolean;
  label?: string;
  simulated?: boolean;
  certFingerprint?: string;
  tls?: 'accepted-in-browser';
}

export function connectionFromRequest(req: NodeConnectRequest, simulated = false): StoredConnection {
  const lnd = req.lndconnect?.trim()
    ? parseLndConnect(req.lndconnect)
    : req.restUrl?.trim() && req.macaroon?.trim()
      ? parseManualConnection(req.restUrl, req.macaroon)
      : undefined;
  if (!lnd) throw error('LNDCONNECT_INVALID', 'give an lndconnect URI, or a REST URL and a macaroon');
  const conn: StoredConnection = { restUrl: lnd.restUrl, macaroonHex: lnd.macaroonHex, simulated };
  if (lnd.certFingerprint) conn.certFingerprint = lnd.certFingerprint;
  if (req.label?.trim()) conn.label = req.label.trim();
  if (req.tapdUrl?.trim()) {
    if (!req.tapdMacaroon?.trim()) throw error('NODE_CONFIG_INVALID', 'tapd URL given without its macaroon');
    const tapd = parseManualConnection(req.tapdUrl, req.tapdMacaroon);
    conn.tapdUrl = tapd.restUrl;
    conn.tapdMacaroonHex = tapd.macaroonHex;
  }
  return conn;
}

export interface Connectors {
  lnd: LndRest;
  tapd?: AssetNode;
}

export function connectorsFor(conn: StoredConnection, fetchImpl?: typeof fetch, timeoutMs?: number): Connectors {
  const common = { ...(fetchImpl && { fetch: fetchImpl }), ...(timeoutMs && { timeoutMs }) };
  return {
    lnd: new LndRest({ baseUrl: conn.restUrl, macaroonHex: conn.macaroonHex, ...common }),
    ...(conn.tapdUrl && conn.tapdMacaroonHex && { tapd: new TapdRest({ baseUrl: conn.tapdUrl, macaroonHex: conn.tapdMacaroonHex, ...common }) }),
  };
}

/**
 * Checks a connection end to end before it is saved: wallet unlocked
 * (/v1/state), macaroon accepted (/v1/getinfo), network as expected, tapd
 * reachable when given and running on this same lnd, by its own report
 * (another node's tapd would show, and spend, someone else's assets; a tapd
 * that doesn't say is refused too).
 */
export async function probeConnection(conn: StoredConnection, c: Connectors, expectedNetwork?: NodeNetwork): Promise<NodeProfile> {
  const state = await c.lnd.getWalletState();
  if (state !== 'RPC_ACTIVE' && state !== 'SERVER_ACTIVE') throw error('NODE_LOCKED', 'wallet state', state);
  const info = await c.lnd.getInfo();
  if (expectedNetwork) checkNetwork(info.network, expectedNetwork);
  if (c.tapd) {
    await c.tapd
      .getInfo()
      .then((tapd) => checkTapdNode(tapd, info.pubkey))
      .catch((e: unknown) => {
        throw tapdError(e);
      });
  }
  return {
    alias: info.alias,
    pubkey: info.pubkey,
    network: info.network,
    restUrl: conn.restUrl,
    hasTapd: Boolean(c.tapd),
    ...(conn.label && { label: conn.label }),
    ...(conn.simulated && { simulated: true }),
    ...(conn.certFingerprint && { certFingerprint: conn.certFingerprint }),
    ...(conn.tls && { tls: conn.tls }),
  };
}

/**
 * tapd runs on the lnd whose key is `lndPubkey`, by its own getinfo. Only lnd_identity_pubkey ties
 * tapd to an lnd (its alias, network and block are anyone's): without it, the dollar balances tapd
 * shows could be another node's.
 */
function checkTapdNode(tapd: AssetNodeInfo, lndPubkey: string): void {
  const tapdLnd = tapd.lndPubkey.toLowerCase();
  if (tapdLnd === '') throw error('NODE_TAPD_UNVERIFIED', 'tapd did not report its lnd node (lnd_identity_pubkey)');
  if (tapdLnd !== lndPubkey.toLowerCase()) throw error('NODE_CONFIG_INVALID', 'tapd runs on another lnd node', tapd.lndPubkey);
}

/**
 * A saved connection's tapd, checked to run on `lnd` before its first use, as at connect time: a
 * connection saved before tapd had to name its lnd would otherwise stay trusted until reconnected. Every call
 * but getinfo waits for the check and fails with its error, so no balance, quote, invoice or payment
 * of an unchecked tapd is used. Passed once, it holds for this connector; a failed check is made
 * again at the next call (tapd upgraded, restarted, reachable again).
 */
export function checkedTapd(tapd: AssetNode, lnd: Pick<LightningNode, 'getInfo'>): AssetNode {
  let checked: Promise<void> | undefined;
  const check = () =>
    (checked ??= Promise.all([tapd.getInfo(), lnd.getInfo()])
      .then(([info, node]) => checkTapdNode(info, node.pubkey))
      .catch((e: unknown) => {
        checked = undefined;
        throw e;
      }));
  const after =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await check();
      return call(...args);
    };
  return {
    getInfo: () => tapd.getInfo(),
    assetMeta: after((assetId: string) => tapd.assetMeta(assetId)),
    listAssets: after(() => tapd.listAssets()),
    getAssetBalances: after(() => tapd.getAssetBalances()),
    createAssetInvoice: after((p: Parameters<AssetNode['createAssetInvoice']>[0]) => tapd.createAssetInvoice(p)),
    payWithAsset: after((...args: Parameters<AssetNode['payWithAsset']>) => tapd.payWithAsset(...args)),
    requestSellQuote: after((p: Parameters<AssetNode['requestSellQuote']>[0]) => tapd.requestSellQuote(p)),
  };
}

export function statusOf(profile: NodeProfile | undefined): NodeStatus {
  if (!profile) return { connected: false };
  return { connected: true, ...profile };
}

/**
 * BTC from lnd; assets from tapd (on-chain) merged with lnd's asset channels.
 * An asset held only in channels (usual for a stablecoin on Lightning) still
 * shows, with its ticker and decimals from tapd's meta. tapd failing doesn't
 * hide BTC.
 */
export async function readBalances(c: Connectors, now = Date.now()): Promise<Balances> {
  const btc = await c.lnd.getBalances();
  const out: Balances = {
    btc: {
      onchainConfirmedSat: btc.onchain.confirmedSat,
      onchainUnconfirmedSat: btc.onchain.unconfirmedSat,
      channelLocalSat: btc.lightning.localSat,
      channelRemoteSat: btc.lightning.remoteSat,
      channelPendingSat: btc.lightning.pendingOpenLocalSat,
    },
    assets: [],
    fetchedAt: now,
  };
  if (!c.tapd) return out;
  try {
    out.assets = await assetBalances(c.tapd, btc.assetChannels);
  } catch (e) {
    const err = tapdError(e);
    out.assetsError = { code: err.code, message: err.message };
  }
  return out;
}

/** One row per asset (named by group key, else asset id): on-chain from tapd, spendable in open channels from lnd. */
export async function assetBalances(tapd: Pick<AssetNode, 'getAssetBalances' | 'assetMeta'>, channels: AssetChannelBalance[]): Promise<AssetBalance[]> {
  const onchain = await tapd.getAssetBalances();
  const open = channels.filter((ch) => !ch.pending);
  const rows: AssetBalance[] = onchain.map((a) => ({
    id: a.groupKey ?? a.assetId ?? a.assetIds[0] ?? '',
    ticker: a.ticker ?? a.name,
    name: a.name,
    amount: a.amount.toString(),
    decimalDisplay: a.decimalDisplay,
    channelAmount: sum(open.filter((ch) => sameAsset(a, ch))).toString(),
  }));
  // Channel-only assets, one row per group (or asset id).
  const rest = open.filter((ch) => !onchain.some((a) => sameAsset(a, ch)));
  const groups = new Map<string, AssetChannelBalance[]>();
  for (const ch of rest) {
    const id = ch.groupKey ?? ch.assetId ?? '';
    groups.set(id, [...(groups.get(id) ?? []), ch]);
  }
  for (const [id, chans] of groups) {
    const first = chans[0]!;
    const meta = first.assetId ? await tapd.assetMeta(first.assetId) : {};
    rows.push({
      id,
      ticker: meta.ticker ?? first.name,
      name: first.name,
      amount: '0',
      decimalDisplay: meta.decimalDisplay ?? 0,
      channelAmount: sum(chans).toString(),
    });
  }
  return rows;
}

function sameAsset(asset: TapdAssetBalance, ch: AssetChannelBalance): boolean {
  return Boolean((asset.groupKey && ch.groupKey === asset.groupKey) || (ch.assetId && asset.assetIds.includes(ch.assetId)));
}

function sum(channels: AssetChannelBalance[]): bigint {
  return channels.reduce((total, ch) => total + ch.localAmount, 0n);
}

/** Keeps the code (the UI explains it) and says it was tapd, not lnd, that failed. */
function tapdError(e: unknown): SatnavError {
  const inner = e instanceof SatnavError ? e : error('NODE_RPC', 'unexpected failure');
  return new SatnavError(inner.code, `tapd: ${inner.message}`, inner.details);
}
