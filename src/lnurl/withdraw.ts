/**
 * LUD-03 withdrawRequest, second step: hand the service an invoice to pay.
 *
 * | step                                   | rule                                                  |
 * | -------------------------------------- | ----------------------------------------------------- |
 * | the wallet's invoice                   | has an amount, minWithdrawable ≤ amount ≤ maxWithdrawable |
 * | GET <callback><?|&>k1=<k1>&pr=<invoice> | callback's own query kept as is; on the service's host |
 * | answer {"status":"OK"}                 | the service pays (now or soon): wait for the payment  |
 */
import { decodeInvoice, type Invoice } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import { expectOk, getJson, type LnurlFetchOptions } from './http.ts';
import type { WithdrawParams } from './params.ts';
import { checkCallback, withQuery } from './service-url.ts';

const err = moduleErrors('lnurl');

/** Sends `paymentRequest` (made by the wallet's node) to the service; resolves on status OK. */
export async function submitWithdraw(params: WithdrawParams, paymentRequest: string, opts: LnurlFetchOptions = {}): Promise<void> {
  if (params.maxWithdrawable === 0) throw err('LNURL_BAD_INPUT', 'nothing to withdraw', params.domain);
  const invoice = ownInvoice(paymentRequest);
  const amount = invoice.amountMsat;
  if (amount === null || amount < BigInt(params.minWithdrawable) || amount > BigInt(params.maxWithdrawable)) {
    throw err('LNURL_BAD_INPUT', `invoice amount must be ${params.minWithdrawable}–${params.maxWithdrawable} msat`, String(amount ?? 'none'));
  }
  // Re-checked here: params may have crossed a message boundary since they were fetched.
  const callback = checkCallback(params.callback, params.domain, opts);
  expectOk(await getJson(withQuery(callback, { k1: params.k1, pr: invoice.paymentRequest }), opts), 'withdraw');
}

function ownInvoice(paymentRequest: string): Invoice {
  try {
    return decodeInvoice(paymentRequest);
  } catch (e) {
    throw err('LNURL_BAD_INPUT', 'invoice to withdraw into is invalid', (e as Error).message);
  }
}
