/**
 * Which rail pays a payment, and the node call that sends it.
 *
 * | rail  | pays an invoice with                   | node call                               |
 * | ----- | -------------------------------------- | --------------------------------------- |
 * | btc   | the node's BTC channels                | lnd `payInvoice`                        |
 * | asset | the USD asset channel, at an RFQ quote | tapd `payWithAsset` with the quote's id |
 *
 * The rail is the person's choice: this payment's (`PaymentIntent.payIn`), else the site's, else the
 * global one. Dollars need tapd and a channel of a USD-pegged asset (node/usd-asset) that can spend the worst
 * case (amount + routing-fee limit at the quote, rounded up); otherwise a clear refusal, never a
 * silent fallback to BTC. A keysend has no invoice to price: it stays BTC.
 *
 * A quote is also how a BTC payment is valued in dollars for dollar budgets: fetched when the
 * policy needs it (best effort: without one the policy decides).
 */
import { rateIncreasePpm, unitsForMsat, worstCaseUnits, type AssetRate } from '../base/asset-rate.ts';
import { moduleErrors, SatnavError } from '../errors.ts';
import { assetBalances } from '../node/connection.ts';
import type { AssetNode, AssetQuote, AssetRef, LightningNode } from '../node/types.ts';
import { isUsdPegged } from '../node/usd-asset.ts';
import type { PayIn, PolicyEngine, Valuation } from '../policy/index.ts';
import type { PaymentIntent, Send } from './intent.ts';

const error = moduleErrors('payments');

/** An invoice to pay, as a payer describes it; the pipeline sends it on the rail the person chose. */
export interface InvoicePayment {
  paymentRequest: string;
  /** Path-finding budget (lnd's `timeout_seconds`). */
  timeoutSeconds?: number;
  /** TLV type (≥ 65536, decimal string) → hex value, for the payee (a deposit's site key). */
  customRecords?: Record<string, string>;
  /** Most blocks the route may lock the money for (a deposit's worst case). */
  cltvLimit?: number;
  /** false: resolve with the first update (a held deposit is IN_FLIGHT). */
  waitFinal?: boolean;
}

/** How the pipeline is told to send: an invoice (either rail), or a payer's own call (BTC only: keysend). */
export type HowToPay = InvoicePayment | Send;

/** The USD asset as the wallet pays with it. */
export interface DollarAsset {
  ref: AssetRef;
  ticker: string;
  decimalDisplay: number;
  /** Units its open channels can send now. */
  spendableUnits: bigint;
}

/** A payment priced in dollars at one sell quote. */
export interface DollarQuote {
  asset: DollarAsset;
  quote: AssetQuote;
  /** The invoice amount in units at the quote (rounded up). */
  amountUnits: bigint;
  /** Amount + routing-fee limit in units (rounded up): the most it can cost. */
  worstCaseUnits: bigint;
  /** The fee limit the quote covers. */
  maxFeeSat: number;
}

/** The dollar terms as the prompt shows them (bigints as decimal strings: they cross message boundaries). */
export interface DollarTerms {
  ticker: string;
  decimalDisplay: number;
  amountUnits: string;
  worstCaseUnits: string;
  rate: { coefficient: string; scale: number };
  /** Unix seconds. */
  expiresAt: number;
  quoteId: string;
}

/** What the prompt says about the rail: the choice, the dollar terms, and why the other choice is closed. */
export interface PayInTerms {
  chosen: PayIn;
  dollars?: DollarTerms;
  /** keysend: BTC only; unavailable: no tapd / USD channel / quote now. */
  locked?: 'keysend' | 'unavailable';
  /** Set when the quote moved against the person since they approved it (beyond the allowed slippage). */
  movedPpm?: number;
}

/** A decided rail: its quote (the asset rail's, or a BTC payment's valuation), and how to send. */
export interface RailPlan {
  chosen: PayIn;
  rail: 'btc' | 'asset';
  quote?: DollarQuote;
  /** Why dollars can't be picked for this payment now. */
  locked?: 'keysend' | 'unavailable';
}

export interface RailDeps {
  policy: Pick<PolicyEngine, 'getConfig' | 'getSite'>;
  node(): Promise<LightningNode>;
  /** tapd when the person connected one. */
  assetNode?(): Promise<AssetNode | undefined>;
  /** Whether a BTC payment for `origin` must be valued in dollars (a dollar budget applies). Default: whenever tapd is there. */
  needsValuation?(origin: string): Promise<boolean>;
  now(): number;
}

/** A quote shorter-lived than this is taken as expired: the payment must reach tapd while it holds. */
const QUOTE_MARGIN_S = 5;
/** How long tapd waits for the peer's answer, and the order's own lifetime. */
const QUOTE_TIMEOUT_S = 10;
const ORDER_LIFETIME_S = 600;

export class Rails {
  /** The dollar asset found last, this worker's guess for the next quote (checked against fresh balances every time). */
  private lastAsset: DollarAsset | undefined;

  constructor(private readonly d: RailDeps) {}

  /** The person's choice for this payment: its own, else the site's, else the global one. */
  async choiceFor(intent: PaymentIntent): Promise<PayIn> {
    if (intent.payIn) return intent.payIn;
    const site = await this.d.policy.getSite(intent.origin);
    return site?.payIn ?? (await this.d.policy.getConfig()).global.payIn;
  }

  /**
   * The rail for `chosen`: dollars are quoted (and refused with the reason when they can't be
   * paid); BTC is valued in dollars when the policy needs it.
   */
  async plan(intent: PaymentIntent, how: HowToPay, chosen: PayIn, maxFeeSat: number): Promise<RailPlan> {
    if (typeof how === 'function') {
      // The person picked dollars for this very keysend: say why not rather than pay in BTC.
      if (intent.payIn === 'usd') throw error('ASSET_KEYSEND_UNSUPPORTED', 'keysend pays in BTC only', intent.paymentHash);
      return { chosen, rail: 'btc', ...(chosen === 'usd' && { locked: 'keysend' as const }) };
    }
    if (chosen === 'usd') return { chosen, rail: 'asset', quote: await this.quote(intent.amountSat, maxFeeSat, true) };
    const valued = (await this.d.assetNode?.()) !== undefined && (await (this.d.needsValuation?.(intent.origin) ?? Promise.resolve(true)));
    const quote = valued ? await this.quote(intent.amountSat, maxFeeSat, false).catch(() => undefined) : undefined;
    return { chosen, rail: 'btc', ...(quote ? { quote } : { locked: 'unavailable' as const }) };
  }

  /**
   * Right before sending: an asset payment's quote that expired (or no longer covers the fee
   * limit) is fetched anew. Returns the fresh plan and how far the rate moved against the person.
   */
  async refresh(plan: RailPlan, amountSat: number, maxFeeSat: number): Promise<{ plan: RailPlan; movedPpm: number }> {
    const q = plan.quote;
    if (plan.rail !== 'asset' || !q) return { plan, movedPpm: 0 };
    const fresh = q.quote.expiresAt - QUOTE_MARGIN_S > this.d.now() / 1000 && maxFeeSat <= q.maxFeeSat;
    if (fresh) return { plan, movedPpm: 0 };
    const next = await this.quote(amountSat, maxFeeSat, true);
    return { plan: { ...plan, quote: next }, movedPpm: Number(rateIncreasePpm(q.quote.rate, next.quote.rate)) };
  }

  /** The send for the plan's rail. */
  sender(plan: RailPlan, how: HowToPay): Send {
    if (typeof how === 'function') return how;
    const q = plan.quote;
    if (plan.rail === 'asset') {
      if (!q) throw error('ASSET_UNAVAILABLE', 'an asset payment without a quote');
      return async (feeLimitSat) =>
        (await this.tapd()).payWithAsset({
          ...q.asset.ref,
          paymentRequest: how.paymentRequest,
          feeLimitSat,
          // Exactly the quote shown and approved: tapd skips its own negotiation.
          rfqId: q.quote.id,
          ...invoiceOptions(how),
        });
    }
    return async (feeLimitSat) => (await this.d.node()).payInvoice({ paymentRequest: how.paymentRequest, feeLimitSat, ...invoiceOptions(how) });
  }

  /** The USD asset and what its channels can spend now; ASSET_UNAVAILABLE without tapd or a USD channel. */
  async dollarAsset(): Promise<DollarAsset> {
    const tapd = await this.tapd();
    // lnd's asset channels and tapd's on-chain assets, asked at once.
    const [lnd, onchain] = await Promise.all([(await this.d.node()).getBalances(), tapdCall(() => tapd.getAssetBalances())]);
    const rows = await tapdCall(() => assetBalances({ getAssetBalances: async () => onchain, assetMeta: (id) => tapd.assetMeta(id) }, lnd.assetChannels));
    const usd = rows.filter((r) => isUsdPegged(r.ticker) && BigInt(r.channelAmount) > 0n).sort((a, b) => cmp(BigInt(b.channelAmount), BigInt(a.channelAmount)))[0];
    if (!usd) throw error('ASSET_UNAVAILABLE', 'no USD asset channel');
    // Rows are named by group key (33 bytes) for grouped assets, by asset id (32) otherwise.
    const ref: AssetRef = usd.id.length === 66 ? { groupKey: usd.id } : { assetId: usd.id };
    this.lastAsset = { ref, ticker: usd.ticker, decimalDisplay: usd.decimalDisplay, spendableUnits: BigInt(usd.channelAmount) };
    return this.lastAsset;
  }

  /**
   * A sell quote covering amount + fee limit; `spending`: refused when the channel can't pay the worst case.
   * The peer is asked for the asset found last while the balances are read: two round trips
   * instead of three. Should the balances name another asset now, that one is quoted and the early answer dropped.
   */
  private async quote(amountSat: number, maxFeeSat: number, spending: boolean): Promise<DollarQuote> {
    const tapd = await this.tapd();
    const maxMsat = BigInt(amountSat + maxFeeSat) * 1000n;
    const ask = (ref: AssetRef) =>
      tapdCall(() => tapd.requestSellQuote({ ...ref, maxMsat, expiresAt: Math.floor(this.d.now() / 1000) + ORDER_LIFETIME_S, timeoutSeconds: QUOTE_TIMEOUT_S }));
    const guess = this.lastAsset?.ref;
    const early = guess && ask(guess).then((quote) => ({ quote }), (e: unknown) => ({ e }));
    const asset = await this.dollarAsset();
    const answer = guess && early && sameRef(guess, asset.ref) ? await early : { quote: await ask(asset.ref) };
    if ('e' in answer) throw answer.e;
    const { quote } = answer;
    if (quote.maxMsat < maxMsat) throw error('ASSET_QUOTE_REFUSED', `the peer quoted for ${quote.maxMsat} msat, asked`, maxMsat.toString());
    const worst = worstCaseUnits(amountSat, maxFeeSat, quote.rate);
    if (spending && worst > asset.spendableUnits)
      throw error('ASSET_BALANCE_LOW', `asset channel can spend ${asset.spendableUnits} units, worst case`, worst.toString());
    return { asset, quote, amountUnits: unitsForMsat(BigInt(amountSat) * 1000n, quote.rate), worstCaseUnits: worst, maxFeeSat };
  }

  private async tapd(): Promise<AssetNode> {
    const tapd = await this.d.assetNode?.();
    if (!tapd) throw error('ASSET_UNAVAILABLE', 'no tapd connected');
    return tapd;
  }
}

/** What dollar budgets are enforced with. */
export function valuationOf(q: DollarQuote, usedForPayment: boolean): Valuation {
  return {
    worstCaseUnits: q.worstCaseUnits,
    rate: q.quote.rate,
    decimalDisplay: q.asset.decimalDisplay,
    ...(usedForPayment && { quoteId: q.quote.id }),
  };
}

/** For the prompt; nothing when dollars play no part (BTC chosen, no quote to show). */
export function payInTerms(plan: RailPlan, movedPpm = 0): PayInTerms | undefined {
  const q = plan.quote;
  if (plan.chosen === 'btc' && !q) return undefined;
  return {
    chosen: plan.chosen,
    ...(q && { dollars: dollarTerms(q) }),
    ...(plan.locked && { locked: plan.locked }),
    ...(movedPpm > 0 && { movedPpm }),
  };
}

function dollarTerms(q: DollarQuote): DollarTerms {
  return {
    ticker: q.asset.ticker,
    decimalDisplay: q.asset.decimalDisplay,
    amountUnits: q.amountUnits.toString(),
    worstCaseUnits: q.worstCaseUnits.toString(),
    rate: rateJson(q.quote.rate),
    expiresAt: q.quote.expiresAt,
    quoteId: q.quote.id,
  };
}

/** What the ledger keeps of an asset payment. */
export function ledgerAsset(q: DollarQuote) {
  return {
    ...q.asset.ref,
    units: q.amountUnits.toString(),
    maxUnits: q.worstCaseUnits.toString(),
    rate: rateJson(q.quote.rate),
    quoteId: q.quote.id,
    decimalDisplay: q.asset.decimalDisplay,
  };
}

const rateJson = (r: AssetRate) => ({ coefficient: r.coefficient.toString(), scale: r.scale });
const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const sameRef = (a: AssetRef, b: AssetRef) => a.groupKey === b.groupKey && a.assetId === b.assetId;

function invoiceOptions(p: InvoicePayment) {
  return {
    ...(p.timeoutSeconds !== undefined && { timeoutSeconds: p.timeoutSeconds }),
    ...(p.customRecords && { customRecords: p.customRecords }),
    ...(p.cltvLimit !== undefined && { cltvLimit: p.cltvLimit }),
    ...(p.waitFinal !== undefined && { waitFinal: p.waitFinal }),
  };
}

/**
 * tapd's failures (unreachable, refusing) read as "dollars unavailable"; a peer's refusal keeps its
 * own code, and so does a tapd not shown to run on this node (checkedTapd), so the person hears why.
 */
async function tapdCall<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof SatnavError && (e.code === 'ASSET_QUOTE_REFUSED' || e.code === 'NODE_TAPD_UNVERIFIED')) throw e;
    const why = e instanceof SatnavError ? `${e.code}: ${e.message}` : 'unexpected failure';
    throw error('ASSET_UNAVAILABLE', 'tapd failed', why);
  }
}
