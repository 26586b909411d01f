/**
 * The popup's receive screen, worker side: an invoice for an amount in sat (lnd) or in dollars
 * (tapd's asset invoice over the USD channel), recorded in the ledger as an incoming `invoice`
 * entry before it is shown, and its state read from the node while the screen waits.
 *
 * | step    | BTC                          | dollars                                              |
 * | ------- | ---------------------------- | ---------------------------------------------------- |
 * | create  | lnd AddInvoice               | tapd channels/invoice for the USD asset (units = dollars × 10^decimals) |
 * | ledger  | invoice, rail btc, its sat   | invoice, rail asset, the sat the invoice asks        |
 * | status  | lnd LookupInvoice → succeeded / failed (canceled, expired), as reconcile reads it    |
 *
 * Only invoices this screen made are looked up: the ledger entry is the record of that.
 */
import type { Origin } from '../base/origin.ts';
import { amountSat, decodeInvoice } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import type { Ledger } from '../ledger/index.ts';
import type { AssetNode, InvoiceState, LightningNode } from '../node/types.ts';
import { findUsdAsset } from '../node/usd-asset.ts';
import { incomingOutcome } from './pipeline.ts';

const error = moduleErrors('receive');

/** BOLT #11 caps a description at 639 bytes; 150 characters of any script fit. */
export const MAX_NOTE_LENGTH = 150;
/** Dollars as the person types them: whole dollars and up to 6 decimals. */
const DOLLARS = /^(\d{1,9})(?:\.(\d{1,6}))?$/;

export type ReceiveAmount = { sat: number } | { usd: string };

export interface ReceivedInvoice {
  paymentRequest: string;
  paymentHash: string;
  /** Unix seconds. */
  expiresAt: number;
  amountSat: number;
  /** For an invoice in dollars: what the payer's node pays in the asset. */
  asset?: { amount: string; decimalDisplay: number; ticker: string };
}

export interface ReceiveStatus {
  state: InvoiceState | 'EXPIRED';
  amountPaidSat: number;
}

export interface ReceiveDeps {
  /** The wallet's own origin: what the ledger names as the asker. */
  origin: Origin;
  ledger: Ledger;
  node(): Promise<LightningNode>;
  /** tapd, when the connection has one. */
  assetNode(): Promise<AssetNode | undefined>;
  now?: () => number;
}

export class PopupReceiver {
  private readonly now: () => number;
  constructor(private readonly d: ReceiveDeps) {
    this.now = d.now ?? Date.now;
  }

  async create(amount: ReceiveAmount, note: string): Promise<ReceivedInvoice> {
    const memo = note.trim();
    if ([...memo].length > MAX_NOTE_LENGTH) throw error('BAD_REQUEST', `note longer than ${MAX_NOTE_LENGTH} characters`, memo.length);
    const node = await this.d.node();
    if ('sat' in amount) {
      if (!Number.isSafeInteger(amount.sat) || amount.sat < 1) throw error('BAD_REQUEST', 'amount must be a whole number of sat above 0', amount.sat);
      const created = await node.createInvoice({ amountSat: amount.sat, memo });
      return this.record(created.paymentRequest, 'btc', memo);
    }
    const tapd = await this.d.assetNode();
    if (!tapd) throw error('ASSET_UNAVAILABLE', 'receiving dollars needs tapd');
    const usd = await findUsdAsset(node, tapd);
    if (!usd) throw error('ASSET_UNAVAILABLE', 'no USD asset channel');
    const units = dollarsToUnits(amount.usd, usd.decimalDisplay);
    const created = await tapd.createAssetInvoice({ ...usd.ref, assetAmount: units, memo });
    return { ...(await this.record(created.paymentRequest, 'asset', memo)), asset: { amount: units.toString(), decimalDisplay: usd.decimalDisplay, ticker: usd.ticker } };
  }

  /** The node's word on an invoice this screen made; a final one is written to the ledger. */
  async status(paymentHash: string): Promise<ReceiveStatus> {
    const entry = await this.d.ledger.byHash(paymentHash);
    if (!entry || entry.kind !== 'invoice' || entry.origin !== this.d.origin) throw error('INVOICE_UNKNOWN', 'no invoice made here with hash', paymentHash);
    const inv = await (await this.d.node()).lookupInvoice(paymentHash);
    const outcome = incomingOutcome(inv, this.now());
    if (entry.status === 'pending' || entry.status === 'in_flight') await this.d.ledger.record(entry, outcome);
    const expired = outcome.status === 'FAILED' && inv.state === 'OPEN';
    return { state: expired ? 'EXPIRED' : inv.state, amountPaidSat: Number((inv.amountPaidMsat + 999n) / 1000n) };
  }

  /** Written before the invoice is shown: a payment that arrives is never unaccounted for. */
  private async record(paymentRequest: string, rail: 'btc' | 'asset', memo: string): Promise<ReceivedInvoice> {
    const invoice = decodeInvoice(paymentRequest);
    const sat = amountSat(invoice) ?? 0;
    await this.d.ledger.begin({
      origin: this.d.origin,
      kind: 'invoice',
      source: 'popup',
      rail,
      amountSat: sat,
      paymentHash: invoice.paymentHash,
      paymentRequest: invoice.paymentRequest,
      ...(memo !== '' && { description: memo }),
    });
    return { paymentRequest: invoice.paymentRequest, paymentHash: invoice.paymentHash, expiresAt: invoice.expiresAt, amountSat: sat };
  }
}

/** "12.5" dollars → raw units of an asset with `decimals` decimals, exactly (no float). */
export function dollarsToUnits(dollars: string, decimals: number): bigint {
  const m = DOLLARS.exec(dollars.trim());
  const fraction = m?.[2] ?? '';
  if (!m || fraction.length > decimals) throw error('BAD_REQUEST', `dollars with at most ${decimals} decimals`, dollars);
  const units = BigInt(m[1]! + fraction.padEnd(decimals, '0'));
  if (units === 0n) throw error('BAD_REQUEST', 'amount must be above 0', dollars);
  return units;
}
