import type { Origin } from '../base/origin.ts';
import { amountSat, checkPayable, decodeInvoice, isExpired, type Invoice } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import { LIVE_STATUSES, type Ledger } from '../ledger/index.ts';
import { invoiceMatchesNode } from '../node/network-check.ts';
import type { NodeNetwork } from '../node/types.ts';

const error = moduleErrors('payments');

/**
 * Whether an invoice handed in by a page or a service may be paid at all,
 * before any budget or prompt: every payer admits its invoices here.
 *
 * | check          | refusal                 | why first                                        |
 * | -------------- | ----------------------- | ------------------------------------------------ |
 * | decode + sig   | INVOICE_INVALID         | nothing else can be read from a bad invoice      |
 * | network        | INVOICE_WRONG_NETWORK   | another chain's invoice is wrong whatever it says |
 * | expiry         | INVOICE_EXPIRED         |                                                  |
 * | amount         | INVOICE_NO_AMOUNT       | an amountless invoice lets the payee pick        |
 * | amount = asked | INVOICE_AMOUNT_MISMATCH | LNURL-pay: the invoice must be for what was chosen |
 * | ceiling        | INVOICE_ABOVE_CEILING   | a payer's own per-request cap (402 walls)        |
 * | duplicate      | DUPLICATE_PAYMENT       | only this origin's own payments are named        |
 *
 * A hash this wallet paid for another origin fails as a plain payment failure:
 * telling the page would say where else the person pays (the node would refuse
 * a second payment anyway).
 */
export interface AdmissionContext {
  origin: Origin;
  ledger: Pick<Ledger, 'byHash'>;
  /** The node's network; unknown → not checked (the node refuses a foreign invoice itself). */
  network: NodeNetwork | undefined;
  nowMs: number;
  /** The amount the person or the service agreed to, when there is one. */
  expectedSat?: number;
  /** The payer's per-request ceiling, when it has one. */
  ceilingSat?: number;
}

export interface AdmittedInvoice {
  invoice: Invoice;
  amountSat: number;
}

export async function admitInvoice(paymentRequest: string, ctx: AdmissionContext): Promise<AdmittedInvoice> {
  const invoice = decodeInvoice(paymentRequest);
  checkPayable(invoice);
  if (ctx.network && !invoiceMatchesNode(invoice.network, ctx.network))
    throw error('INVOICE_WRONG_NETWORK', `invoice is for ${invoice.network}, node is on`, ctx.network);
  if (isExpired(invoice, Math.floor(ctx.nowMs / 1000)))
    throw error('INVOICE_EXPIRED', 'invoice expired at', new Date(invoice.expiresAt * 1000).toISOString());
  const amount = amountSat(invoice);
  if (amount === null || amount === 0) throw error('INVOICE_NO_AMOUNT', 'invoice has no amount');
  if (ctx.expectedSat !== undefined && amount !== ctx.expectedSat)
    throw error('INVOICE_AMOUNT_MISMATCH', `invoice is for ${amount} sat, agreed`, ctx.expectedSat);
  if (ctx.ceilingSat !== undefined && amount > ctx.ceilingSat)
    throw error('INVOICE_ABOVE_CEILING', `invoice is for ${amount} sat, ceiling`, ctx.ceilingSat);
  const previous = await ctx.ledger.byHash(invoice.paymentHash);
  if (previous && LIVE_STATUSES.includes(previous.status)) {
    if (previous.origin === ctx.origin) throw error('DUPLICATE_PAYMENT', 'invoice already paid or in flight', invoice.paymentHash);
    throw error('PAYMENT_FAILED', 'payment failed');
  }
  return { invoice, amountSat: amount };
}
