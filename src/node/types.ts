/**
 * What the wallet needs from a Lightning node (`LightningNode`, served by lnd) and from a
 * Taproot Assets daemon (`AssetNode`, served by tapd).
 *
 * Units: sats are `number` (every amount up to 21M BTC is a safe integer); msats are `bigint`
 * (21M BTC in msat is not); asset amounts are `bigint` raw units. Hashes, keys and preimages
 * are lowercase hex. Times are unix seconds.
 */

export type NodeNetwork = 'mainnet' | 'testnet' | 'testnet4' | 'signet' | 'regtest' | 'simnet';

export interface NodeInfo {
  alias: string;
  pubkey: string;
  network: NodeNetwork;
  blockHeight: number;
  synced: boolean;
  version: string;
}

/** lnd's wallet state (/v1/state). Only RPC_ACTIVE and SERVER_ACTIVE serve payments. */
export type WalletState = 'NON_EXISTING' | 'LOCKED' | 'UNLOCKED' | 'RPC_ACTIVE' | 'SERVER_ACTIVE' | 'WAITING_TO_START';

/** An asset balance held in Lightning channels (litd's custom channel data). */
export interface AssetChannelBalance {
  assetId?: string;
  groupKey?: string;
  name: string;
  localAmount: bigint;
  remoteAmount: bigint;
  pending: boolean; // channel not yet open
}

export interface LndBalances {
  onchain: { confirmedSat: number; unconfirmedSat: number };
  lightning: { localSat: number; remoteSat: number; pendingOpenLocalSat: number; unsettledLocalSat: number };
  assetChannels: AssetChannelBalance[];
}

export interface CreateInvoiceParams {
  /** One of amountSat / amountMsat, or neither for an any-amount invoice. */
  amountSat?: number;
  amountMsat?: bigint;
  memo?: string;
  descriptionHash?: string;
  expirySeconds?: number;
  private?: boolean;
}
export interface CreatedInvoice {
  paymentRequest: string;
  paymentHash: string;
}

export interface HoldInvoiceParams {
  paymentHash: string;
  amountSat: number;
  expirySeconds: number;
  /** min_final_cltv_expiry of the invoice: the lock time the payer's HTLC will have at least. */
  cltvExpiry: number;
  memo?: string;
  descriptionHash?: string;
}

export type InvoiceState = 'OPEN' | 'ACCEPTED' | 'SETTLED' | 'CANCELED';
export interface InvoiceStatus {
  paymentHash: string;
  paymentRequest: string;
  memo: string;
  state: InvoiceState;
  amountMsat: bigint;
  amountPaidMsat: bigint;
  createdAt: number;
  expiresAt: number;
  settledAt?: number;
  preimage?: string;
  isKeysend: boolean;
}

/** An invoice as the node decodes it (/v1/payreq). */
export interface NodePayReq {
  destination: string;
  paymentHash: string;
  amountMsat: bigint;
  timestamp: number;
  expirySeconds: number;
  description: string;
  descriptionHash?: string;
  cltvExpiry: number;
}

export type PaymentStatus = 'SUCCEEDED' | 'FAILED' | 'IN_FLIGHT';
export interface PaymentResult {
  status: PaymentStatus;
  paymentHash: string;
  preimage?: string;
  amountMsat: bigint;
  feeMsat: bigint;
  /** lnd's reason without its prefix, e.g. NO_ROUTE, INCORRECT_PAYMENT_DETAILS, TIMEOUT. */
  failureReason?: string;
  createdAt: number;
}
export type PaymentUpdate = (p: PaymentResult) => void;

export interface PayOptions {
  /** lnd's path-finding time budget (default 60). In-flight HTLCs may outlive it. */
  timeoutSeconds?: number;
  /**
   * true (default): wait for SUCCEEDED/FAILED; lnd is asked for the final update only (unless an
   * `onUpdate` listens), so a payment silent for longer than timeoutSeconds + the connector's call
   * timeout ends with NODE_TIMEOUT, its outcome unknown (with `onUpdate`: IN_FLIGHT, e.g. a held deposit).
   * false: return the first update (a hold-invoice deposit is IN_FLIGHT while it is held).
   */
  waitFinal?: boolean;
}

export interface PayInvoiceParams extends PayOptions {
  paymentRequest: string;
  /** Only for invoices without an amount. */
  amountSat?: number;
  /** Required: lnd's default is 0, which allows fee-free routes only. */
  feeLimitSat: number;
  /** TLV type (≥ 65536, as a decimal string) → hex value, for the payee (a deposit's site key). */
  customRecords?: Record<string, string>;
  /** Most blocks the route may lock the money for (a deposit's worst case). */
  cltvLimit?: number;
}

export interface KeysendParams extends PayOptions {
  destPubkey: string;
  amountSat: number;
  feeLimitSat: number;
  /** TLV type (≥ 65536, as a decimal string) → hex value. */
  customRecords?: Record<string, string>;
  /** Hex; chosen by the caller when it must know the payment hash before sending (write-ahead ledger). Random otherwise. */
  preimage?: string;
}

export interface LightningNode {
  getInfo(): Promise<NodeInfo>;
  /** getInfo, then NODE_WRONG_NETWORK unless the node is on `expected`. */
  checkNetwork(expected: NodeNetwork): Promise<NodeInfo>;
  getWalletState(): Promise<WalletState>;
  getBalances(): Promise<LndBalances>;
  createInvoice(p: CreateInvoiceParams): Promise<CreatedInvoice>;
  createHoldInvoice(p: HoldInvoiceParams): Promise<CreatedInvoice>;
  settleHoldInvoice(preimage: string): Promise<void>;
  cancelHoldInvoice(paymentHash: string): Promise<void>;
  lookupInvoice(paymentHash: string): Promise<InvoiceStatus>;
  decodePayReq(paymentRequest: string): Promise<NodePayReq>;
  payInvoice(p: PayInvoiceParams, onUpdate?: PaymentUpdate): Promise<PaymentResult>;
  /** Throws NODE_PAYMENT_NOT_FOUND when the node never started this payment. */
  trackPayment(paymentHash: string, opts?: PayOptions): Promise<PaymentResult>;
  /**
   * Every payment's final word as it comes (lnd replays the ones still in flight first), until the
   * stream ends; silent longer than `idleTimeoutMs` → NODE_TIMEOUT (the caller subscribes again).
   */
  trackPayments(onFinal: PaymentUpdate, opts: { idleTimeoutMs: number }): Promise<void>;
  keysend(p: KeysendParams, onUpdate?: PaymentUpdate): Promise<PaymentResult>;
  signMessage(message: string): Promise<string>;
  verifyMessage(message: string, signature: string): Promise<{ valid: boolean; pubkey: string }>;
  /** Newest first. */
  listPayments(opts?: { maxPayments?: number }): Promise<PaymentResult[]>;
  /** Newest first. */
  listInvoices(opts?: { maxInvoices?: number }): Promise<InvoiceStatus[]>;
}

/** An asset is named by its id, or (for grouped assets such as stablecoins) its group key. */
export type AssetRef = { assetId: string; groupKey?: undefined } | { groupKey: string; assetId?: undefined };

export interface AssetNodeInfo {
  version: string;
  lndVersion: string;
  network: string;
  lndPubkey: string;
  alias: string;
  blockHeight: number;
  synced: boolean;
}

export interface AssetInfo {
  assetId: string;
  groupKey?: string;
  name: string;
  amount: bigint;
  decimalDisplay: number;
}

export interface TapdAssetBalance {
  /** Set for an ungrouped asset. */
  assetId?: string;
  /** Set for a grouped asset: its identity across tranches. */
  groupKey?: string;
  assetIds: string[];
  name: string;
  ticker?: string;
  /** Raw units; display amount = amount / 10^decimalDisplay. */
  amount: bigint;
  decimalDisplay: number;
}

/** Rate in asset units per BTC: coefficient / 10^scale. */
export interface FixedPoint {
  coefficient: bigint;
  scale: number;
}

export type CreateAssetInvoiceParams = AssetRef & {
  /** Exactly this many units; or `valueMsat`, converted by the peer at its quote. */
  assetAmount?: bigint;
  valueMsat?: bigint;
  peerPubkey?: string;
  memo?: string;
  expirySeconds?: number;
  /** Makes it a hold invoice (asset-denominated deposit). */
  holdPaymentHash?: string;
};
export interface CreatedAssetInvoice extends CreatedInvoice {
  /** The channel peer's quote: asset units per BTC, valid until `expiresAt`. */
  rate?: FixedPoint;
  expiresAt?: number;
}

export type PayWithAssetParams = AssetRef &
  PayOptions & {
    paymentRequest: string;
    feeLimitSat: number;
    peerPubkey?: string;
    /** The accepted sell quote to pay at (hex): tapd skips its own negotiation and uses exactly this one. */
    rfqId?: string;
    /** As lnd's: TLV type (≥ 65536, decimal string) → hex value. */
    customRecords?: Record<string, string>;
    cltvLimit?: number;
  };

/** What to ask the channel peer for: a price for selling units to pay up to `maxMsat`. */
export type SellQuoteParams = AssetRef & {
  /** The most the payment may send out: amount plus routing-fee limit. */
  maxMsat: bigint;
  /** Unix seconds after which the order lapses. */
  expiresAt: number;
  peerPubkey?: string;
  /** How long tapd waits for the peer's answer. */
  timeoutSeconds?: number;
};

/** A peer's accepted sell quote (tapd's PeerAcceptedSellQuote). */
export interface AssetQuote {
  /** RFQ id, hex (32 bytes): what `payWithAsset` pays at. */
  id: string;
  /** The peer's node key (hex). */
  peer: string;
  scid: string;
  /** Asset units per BTC the peer buys at. */
  rate: FixedPoint;
  /** Unix seconds: not usable after. */
  expiresAt: number;
  /** Units the peer takes for the whole order. */
  assetAmount: bigint;
  /** The most the quote carries (msat): the peer's partial fill, else what was asked. */
  maxMsat: bigint;
  /** Smallest payment that can carry one unit (msat). */
  minTransportableMsat: bigint;
}

/** What an asset's JSON meta says about showing it (both absent for opaque meta). */
export interface AssetMeta {
  ticker?: string;
  decimalDisplay?: number;
}

export interface AssetNode {
  getInfo(): Promise<AssetNodeInfo>;
  assetMeta(assetId: string): Promise<AssetMeta>;
  listAssets(): Promise<AssetInfo[]>;
  getAssetBalances(): Promise<TapdAssetBalance[]>;
  createAssetInvoice(p: CreateAssetInvoiceParams): Promise<CreatedAssetInvoice>;
  payWithAsset(p: PayWithAssetParams, onUpdate?: PaymentUpdate): Promise<PaymentResult>;
  /** An RFQ sell quote from the channel peer; ASSET_QUOTE_REFUSED when it rejects or answers badly. */
  requestSellQuote(p: SellQuoteParams): Promise<AssetQuote>;
}

/** What the wallet shows: BTC from lnd, assets from tapd, one shape for the worker and the popup. */
export interface AssetBalance {
  id: string;
  ticker: string;
  name: string;
  /** Raw asset units as a decimal string (may exceed 2^53). */
  amount: string;
  decimalDisplay: number;
  /** Units held in asset channels (spendable over Lightning), raw. */
  channelAmount: string;
}
export interface Balances {
  btc: {
    onchainConfirmedSat: number;
    onchainUnconfirmedSat: number;
    channelLocalSat: number;
    channelRemoteSat: number;
    channelPendingSat: number;
  };
  assets: AssetBalance[];
  /** Set when tapd could not be reached but lnd could. */
  assetsError?: { code: string; message: string };
  fetchedAt: number;
}
